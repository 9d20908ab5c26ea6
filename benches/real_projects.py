"""Real projects for benches/run.py: the sdists of popular PyPI projects at pinned
versions, collected and run by fastest and by pytest in a venv of their own.

The projects and their download/extract mechanism are the real-project oracle's
(`python/tests/test_oracle_real_projects.py`: `PROJECTS`, `_download`, `_extract`), so a
project is pinned once and its sdist is downloaded once into the same cache
(`$FASTEST_ORACLE_CACHE`, default `.pytest_cache/d/fastest-oracle-sdists`). `EXTRA` adds
projects that only the bench runs (their suites need a package the oracle's environment
must not have, or are too slow for a test).

Each project gets a venv under `.pytest_cache/d/fastest-bench-projects/<name>-venv`,
made once (a marker file lists what was installed; a changed list rebuilds it) with
pytest 9.2.0, pytest-xdist 3.8.0, the project's test dependencies and, for src layouts,
the project itself at the sdist's version. fastest is not installed there: it runs as
`VENV/bin/python -m fastest` with `PYTHONPATH` pointing at this checkout's package (the
oracle's `fastest_in`), so the venv's interpreter, plugins and site-packages are the
ones both tools see. pytest-xdist is installed in every project venv, so `pytest` and
`fastest` both run with it present (it adds `plugins: xdist-3.8.0` to both headers).

Measured per project, from the sdist's root with no arguments beyond these (the
project's own configuration decides what is collected):
  * `--collect-only -q`: fastest (warm: its cache present) and pytest (warm: bytecode
    present); the outputs must be identical;
  * the run (`-q -p no:cacheprovider`): fastest, pytest, and `-n 2` of both; fastest's
    final line (outcome counts) and exit code must equal pytest's, and those of
    `fastest -n 2` pytest-xdist's;
  * which engine fastest used (`native`, the pytest engine, or the session handed to
    pytest, with the reason), from one untimed `-v` run.
A mismatch is reported instead of the speed numbers and fails the bench.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Dict, List, Optional

from measure import fastest_engine, final_line, measure_variants, normalise, run

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "python" / "tests"
STATE = REPO / ".pytest_cache" / "d" / "fastest-bench-projects"
BASE_REQUIREMENTS = ["pytest==9.2.0", "pytest-xdist==3.8.0"]
# Projects whose suites take seconds, not minutes, to run: what `./dev bench` runs when
# no `--real-projects` is given.
# idna is the large one (6,365 tests); more-itertools is left out because its suite
# alone takes ~20 s per run here.
DEFAULT = ["six", "iniconfig", "idna"]
# The runs whose final lines must agree: fastest against pytest, each serial and -n 2.
PAIRS = (("fastest", "pytest"), ("fastest_n2", "pytest_xdist_2"))
TIMEOUT = 900.0


def _oracle():
    """The oracle's module (imported lazily: it imports pytest, and only a bench with
    real projects needs it)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import test_oracle_real_projects as orp

    return orp


class Project:
    """A pinned sdist plus what its tests need installed."""

    def __init__(self, sdist, deps: List[str], install_self: bool):
        self.sdist = sdist  # the oracle's Sdist: .requirement, .name
        self.deps = deps
        self.install_self = install_self

    @property
    def requirement(self) -> str:
        return self.sdist.requirement


def projects() -> Dict[str, Project]:
    """Every project the bench knows: the oracle's, then the bench-only ones."""
    orp = _oracle()
    out = {name: Project(s, [], install_self=s.imports_installed is not None) for name, s in orp.PROJECTS.items()}
    # toolz: tests inside the package (toolz/tests, not a package itself, so rootdir
    # insertion puts toolz/tests on sys.path, not the root): they import the installed
    # toolz.
    out["toolz"] = Project(orp.Sdist("toolz==1.0.0", [[]]), [], install_self=True)
    # itsdangerous: src layout (tests import the installed package); freezegun for
    # the timed signers.
    out["itsdangerous"] = Project(orp.Sdist("itsdangerous==2.2.0", [[]]), ["freezegun==1.5.1"], install_self=True)
    # cachetools: unittest classes whose test methods come from a mixin in the tests
    # package (`from . import CacheTestMixin`): the import fallback collects them and
    # the native engine runs them.
    out["cachetools"] = Project(orp.Sdist("cachetools==6.2.2", [[]]), [], install_self=True)
    # jinja2: computed parameters, bases from the library, `\N{...}` escapes (import
    # fallback); trio for its async tests.
    out["jinja2"] = Project(orp.Sdist("jinja2==3.1.6", [[]]), ["markupsafe==3.0.3", "trio==0.31.0"], install_self=True)
    return out


def select(spec: str) -> List[str]:
    """`--real-projects`: comma-separated names, `all`, `none` or `default`."""
    if spec in ("none", ""):
        return []
    known = projects()
    if spec == "all":
        return list(known)
    names = DEFAULT if spec == "default" else [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown --real-projects {', '.join(unknown)}; known: {', '.join(known)}")
    return names


def _venv(name: str, project: Project) -> Path:
    """The project's venv, made once."""
    root = STATE / f"{name}-venv"
    wanted = BASE_REQUIREMENTS + project.deps + ([project.requirement] if project.install_self else [])
    marker = root / "installed.txt"
    if marker.exists() and marker.read_text() == "\n".join(wanted):
        return root
    print(f"  creating {root} ({' '.join(wanted)}) ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    # --only-binary for the dependencies: wheels install in seconds and need no compiler.
    p = subprocess.run(
        [str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--only-binary", ":all:", *wanted],
        capture_output=True, text=True,
    )  # fmt: skip
    if p.returncode != 0:
        raise RuntimeError(f"cannot install {' '.join(wanted)}:\n{p.stdout}{p.stderr}")
    marker.write_text("\n".join(wanted))
    return root


def bench_project(name: str, repeat: int, workdir: Path) -> dict:
    """Measure one project; `{"error": ...}` when it cannot be set up."""
    orp = _oracle()
    from oracle_harness import fastest_in

    project = projects()[name]
    entry: dict = {"requirement": project.requirement}
    try:
        cache = Path(os.environ.get("FASTEST_ORACLE_CACHE") or REPO / ".pytest_cache" / "d" / "fastest-oracle-sdists")
        cache.mkdir(parents=True, exist_ok=True)
        archive = orp._download(project.sdist, cache)
        dest = workdir / f"project_{name}"
        shutil.rmtree(dest, ignore_errors=True)
        src = orp._extract(archive, dest)
        env_dir = _venv(name, project)
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        entry["error"] = str(e)
        return entry

    pytest = [str(env_dir / "bin" / "pytest")]
    fastest, env = fastest_in(pytest)
    co = ["--collect-only", "-q"]
    base = ["-q", "-p", "no:cacheprovider"]

    def go(cmd: List[str]):
        return lambda: run(cmd, src, env, timeout=TIMEOUT)

    # Correctness first, from the same runs that warm the caches.
    f_co, p_co = go([*fastest, *co])(), go([*pytest, *co])()
    entry["tests"] = sum(1 for line in p_co.out.splitlines() if "::" in line)
    entry["same_collection"] = normalise(f_co.out) == normalise(p_co.out) and f_co.rc == p_co.rc
    outs = {
        "fastest": go([*fastest, *base])(),
        "pytest": go([*pytest, *base])(),
        "fastest_n2": go([*fastest, *base, "-n", "2"])(),
        "pytest_xdist_2": go([*pytest, *base, "-n", "2"])(),
    }
    entry["engine"] = fastest_engine([*fastest, *base], src, env)
    entry["final_lines"] = {k: final_line(m.out) for k, m in outs.items()}
    entry["exit_codes"] = {k: m.rc for k, m in outs.items()}
    # Each tool against its counterpart: a serial run and a `-n 2` run may legitimately
    # end differently (pytest stops at collection errors; pytest-xdist runs the rest).
    entry["same_outcome"] = all(
        entry["final_lines"][a] == entry["final_lines"][b] and entry["exit_codes"][a] == entry["exit_codes"][b]
        for a, b in PAIRS
    )
    if not (entry["same_collection"] and entry["same_outcome"]):
        # A wrong answer has no speed: keep what differed for the report instead.
        entry["collect_heads"] = {"fastest": f_co.out[-2000:] + f_co.err[-2000:], "pytest": p_co.out[-2000:]}
        return entry

    variants = {
        "fastest_collect": go([*fastest, *co]),
        "pytest_collect": go([*pytest, *co]),
        "fastest": go([*fastest, *base]),
        "pytest": go([*pytest, *base]),
        "fastest_n2": go([*fastest, *base, "-n", "2"]),
        "pytest_xdist_2": go([*pytest, *base, "-n", "2"]),
    }
    entry.update(measure_variants(variants, repeat))
    m = entry["median_s"]
    entry["ratios"] = {
        "collect pytest/fastest": m["pytest_collect"] / m["fastest_collect"],
        "pytest/fastest": m["pytest"] / m["fastest"],
        "pytest_xdist_2/fastest_n2": m["pytest_xdist_2"] / m["fastest_n2"],
    }
    return entry


def missing_reason(entry: dict) -> Optional[str]:
    """Why a project's entry has no speed numbers (None when it has them)."""
    if "error" in entry:
        return "setup failed: " + entry["error"].splitlines()[0]
    if not entry.get("same_collection", True):
        return "MISMATCH: `--collect-only -q` output differs from pytest's"
    if not entry.get("same_outcome", True):
        return "MISMATCH: final lines differ: " + "; ".join(
            f"{k}: `{v}` (exit {entry['exit_codes'][k]})" for k, v in entry["final_lines"].items()
        )
    return None
