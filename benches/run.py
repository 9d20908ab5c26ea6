"""fastest's end-to-end benchmarks, side by side with pytest in one interleaved run.

Usage (from the repo root, after `./dev setup`; `./dev bench` does both):

    python benches/run.py [--sizes 5000,60000] [--run-sizes 25,5000] [--repeat 5]
                          [--skew-sleep 0.4 | --no-skew] [--fixtures 4x10 | --fixtures none]
                          [--real-projects default|all|none|NAME,...] [--no-xdist]
                          [--coverage 5000 | --coverage none]
                          [--tiny] [--compare BASELINE.json] [--threshold 0.25] [--min-delta 0.02]
                          [--out benchmark_reports] [--from-report REPORT.json]

Every command is timed by `benches/measure.py`: wall time, CPU (user + system of the
process and the descendants it reaped, from `os.wait4`) and peak memory (`ru_maxrss`:
the largest *single* process of that tree, not a sum). Runs are interleaved
(A B C A B C ...) so machine noise hits every variant alike; medians are reported.
Outputs of the tools are compared first, so a speed number never hides a wrong answer.

What it measures:

  * **Collection** (`--sizes`), per generated suite (plain functions, classes,
    parametrize and conftest fixtures, 20 tests per file): `fastest --collect-only -q`,
    cold (no discovery cache) and warm (cache present), and with memory-mapped reads
    switched off (FASTEST_NO_MMAP=1) to keep the mmap decision honest;
    `pytest --collect-only -q`, warm (bytecode and assertion-rewrite caches present) and
    cold (PYTHONDONTWRITEBYTECODE=1, caches removed). The outputs must be identical.
  * **Run** (`--run-sizes`, default 25 and 5,000 tests), running the same kind of suite:
    `fastest` (the native engine, `FASTEST_ENGINE=native`), `fastest -n 2`,
    `fastest --engine pytest`, `pytest`, `pytest -n 2` (pytest-xdist, from a venv of its
    own that this script creates once under .pytest_cache/d/fastest-xdist-venv, because
    an installed plugin would change every pytest run; `--no-xdist` skips it), and the
    floor: `benches/bare_loop.py`, which imports the modules and calls the functions with
    nothing around them. Reported: medians, ratios, and fastest's per-test overhead above
    the floor in microseconds. The final lines (outcome counts) must agree. From 2,000
    tests (two packages or more), the same suite with a conftest `pytest_runtest_setup`
    over its first package: `fastest` (`--engine auto` runs that package's modules in the
    pytest engine, the others natively) against `pytest`.
  * **Skewed scheduling** (issue 4's proof; `--no-skew` skips it): 20 modules, one with
    five tests sleeping `--skew-sleep` (0.4 s) each, the others ten tests of 10 ms each.
    On 2 workers: `fastest -n 2` with no history (`.fastest_cache` deleted before each
    run), `fastest -n 2` again with the history of the previous run, and `pytest -n 2`.
    The yardstick is the LPT lower bound max(longest group, total / 2), where a group is
    one module's tests (fastest keeps a module in one worker) and the durations are read
    from fastest's own history (`.fastest_cache/history-v1.json`: per node id, setup +
    call + teardown seconds) after the last run. Reported: each variant / bound (the
    design's target for the second run is <= 1.1; reported, never asserted) and the
    seconds above the bound (interpreter and worker start-up are part of them).
  * **Fixtures** (`--fixtures PACKAGESxFILES`, default 4x10; `none` skips it): a suite
    heavy on fixtures (see `benches/suites.py`) run by fastest, fastest -n 2, pytest and
    pytest -n 2; all four final lines must be identical.
  * **Coverage** (`--coverage N`, default 5,000 tests; `none` skips it): the run suite
    under pytest-cov measuring it (`--cov`, the term report), from a venv with
    pytest-cov and pytest-xdist that this script creates once under
    .pytest_cache/d/fastest-cov-venv (fastest runs with that venv's interpreter):
    `fastest --cov`, `fastest -n 2 --cov`, `pytest --cov`, `pytest -n 2 --cov`. The
    coverage sections of the outputs (table and totals) must be identical.
  * **Real projects** (`--real-projects`, default six, iniconfig and idna;
    `all`, `none` or names): pinned sdists from PyPI in venvs of their own (see
    `benches/real_projects.py`): `--collect-only -q` and the full run, fastest vs
    pytest, and `-n 2` vs pytest-xdist. A mismatch is reported instead of the numbers.

`--tiny` picks small defaults for every part (a smoke test of the whole pipeline in a
few seconds; python/tests/test_bench.py runs it); explicit flags still win.

Writes benchmark_reports/<date>.json and .md (the Markdown is also printed). Exits 1
when any outcome differs from pytest's, and, with --compare, when a fastest median
(any variant whose name starts with `fastest`, in any part) regressed by more than
--threshold (relative) and by more than --min-delta seconds (0.02: absolute noise on
the shortest medians) against the baseline JSON; entries missing from either side are
not compared. `--from-report REPORT.json` measures nothing: it re-renders and compares an
existing report. No timing is asserted anywhere in the test suite; this script is where
speed lives.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported rather than run as a script
    sys.path.insert(0, str(HERE))

from measure import fastest_engine, final_line, measure_variants, normalise, run  # noqa: E402
from suites import generate_fixtures, generate_skewed, generate_suite  # noqa: E402

BIN = Path(sys.executable).parent

# The defaults of each part, and the `--tiny` ones (a pipeline smoke test: every part
# runs, on suites small enough to finish in seconds on a loaded 2-core machine).
DEFAULTS = {
    "sizes": "5000,60000",
    "run_sizes": "25,5000",
    "repeat": 5,
    "skew_sleep": 0.4,
    "fixtures": "4x10",
    "coverage": "5000",
    "real_projects": "default",
}
TINY = {
    "sizes": "200",
    "run_sizes": "25",
    "repeat": 1,
    "skew_sleep": 0.05,
    "fixtures": "2x2",
    # Its venv needs the network (python/tests/test_bench.py runs it on its own).
    "coverage": "none",
    "real_projects": "none",
}


def tool(name: str) -> str:
    exe = BIN / name
    return str(exe) if exe.exists() else (shutil.which(name) or name)


def xdist_pytest() -> Optional[str]:
    """`pytest` of a venv with pytest-xdist next to the same pytest (made once)."""
    root = HERE.parent / ".pytest_cache" / "d" / "fastest-xdist-venv"
    wanted = "pytest==9.2.0 pytest-xdist==3.8.0"
    marker = root / "installed.txt"
    if not marker.exists() or marker.read_text() != wanted:
        import venv

        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        p = subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check", *wanted.split()],
                           capture_output=True, text=True)  # fmt: skip
        if p.returncode != 0:
            print(f"pytest-xdist not available ({p.stdout}{p.stderr}); skipping it", file=sys.stderr)
            return None
        marker.write_text(wanted)
    return str(root / "bin" / "pytest")


def cov_python() -> Optional[str]:
    """`python` of a venv with pytest, pytest-xdist and pytest-cov (made once)."""
    root = HERE.parent / ".pytest_cache" / "d" / "fastest-cov-venv"
    wanted = "pytest==9.2.0 pytest-xdist==3.8.0 pytest-cov==7.1.0"
    marker = root / "installed.txt"
    if not marker.exists() or marker.read_text() != wanted:
        import venv

        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        p = subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check", *wanted.split()],
                           capture_output=True, text=True)  # fmt: skip
        if p.returncode != 0:
            print(f"pytest-cov not available ({p.stdout}{p.stderr}); skipping it", file=sys.stderr)
            return None
        marker.write_text(wanted)
    return str(root / "bin" / "python")


def clean_pytest_caches(root: Path) -> None:
    for p in root.rglob("__pycache__"):
        shutil.rmtree(p, ignore_errors=True)
    shutil.rmtree(root / ".pytest_cache", ignore_errors=True)


def bench_suite(n_tests: int, repeat: int, workdir: Path) -> dict:
    root = workdir / f"suite_{n_tests}"
    generate_suite(root, n_tests)
    fastest, pytest = tool("fastest"), tool("pytest")
    co = ["--collect-only", "-q"]

    # Correctness first: identical output.
    f = run([fastest, *co], root)
    p = run([pytest, *co, "-p", "no:cacheprovider"], root)
    identical = normalise(f.out) == normalise(p.out) and f.rc == p.rc
    n_collected = sum(1 for line in p.out.splitlines() if "::" in line)

    def wipe_fastest() -> None:
        shutil.rmtree(root / ".fastest_cache", ignore_errors=True)

    variants = {
        "fastest_cold": lambda: run([fastest, *co], root),
        "fastest_warm": lambda: run([fastest, *co], root),
        "fastest_cold_no_mmap": lambda: run([fastest, *co], root, {"FASTEST_NO_MMAP": "1"}),
        "pytest_warm": lambda: run([pytest, *co], root),
        "pytest_cold": lambda: run([pytest, *co], root, {"PYTHONDONTWRITEBYTECODE": "1"}),
    }

    def rewarm_pytest() -> None:
        # pytest_cold (the variant before it in the previous round) wiped the caches.
        run([pytest, *co], root)

    before = {
        "fastest_cold": wipe_fastest,
        "fastest_cold_no_mmap": wipe_fastest,
        "pytest_warm": rewarm_pytest,
        "pytest_cold": lambda: clean_pytest_caches(root),
    }
    # Warm the warm variants once.
    run([fastest, *co], root)
    run([pytest, *co], root)
    entry = {"tests": n_collected, "identical_output": identical}
    entry.update(measure_variants(variants, repeat, before))
    med = entry["median_s"]
    entry["ratios"] = {
        "pytest_warm/fastest_cold": med["pytest_warm"] / med["fastest_cold"],
        "pytest_warm/fastest_warm": med["pytest_warm"] / med["fastest_warm"],
        "pytest_cold/fastest_cold": med["pytest_cold"] / med["fastest_cold"],
        "no_mmap/mmap (cold)": med["fastest_cold_no_mmap"] / med["fastest_cold"],
    }
    return entry


def bench_run(n_tests: int, repeat: int, workdir: Path, xdist: Optional[str]) -> dict:
    root = workdir / f"run_{n_tests}"
    generate_suite(root, n_tests)
    fastest, pytest = tool("fastest"), tool("pytest")
    base = ["-q", "-p", "no:cacheprovider"]
    native = {"FASTEST_ENGINE": "native"}
    f = run([fastest, *base], root, native)
    p = run([pytest, *base], root)
    e = run([fastest, *base, "--engine", "pytest"], root)
    identical = final_line(f.out) == final_line(p.out) and f.rc == p.rc
    identical = identical and final_line(e.out) == final_line(p.out) and e.rc == p.rc
    variants = {
        "fastest": lambda: run([fastest, *base], root, native),
        "fastest_n2": lambda: run([fastest, *base, "-n", "2"], root, native),
        # The same suite through pytest's runtest protocol in fastest's worker: the
        # price of each `auto` decision for the pytest engine.
        "fastest_pytest_engine": lambda: run([fastest, *base, "--engine", "pytest"], root),
        "pytest": lambda: run([pytest, *base], root),
        "bare_loop": lambda: run([sys.executable, str(HERE / "bare_loop.py"), "tests"], root),
    }
    # The same suite with a conftest item hook over its first package (of several):
    # `--engine auto` runs that package's modules in the pytest engine and the rest
    # natively (per module), where a whole-session choice would run all in pytest's.
    mixed_root = workdir / f"run_{n_tests}_mixed"
    if n_tests >= 2000:
        generate_suite(mixed_root, n_tests)
        (mixed_root / "tests" / "pkg_000" / "conftest.py").write_text(
            "def pytest_runtest_setup(item):\n    pass\n"
        )
        fm = run([fastest, *base], mixed_root)
        pm = run([pytest, *base], mixed_root)
        identical = identical and final_line(fm.out) == final_line(pm.out) and fm.rc == pm.rc
        variants["fastest_mixed"] = lambda: run([fastest, *base], mixed_root)
        variants["pytest_mixed"] = lambda: run([pytest, *base], mixed_root)
    has_xdist = xdist is not None
    if has_xdist:
        variants["pytest_xdist_2"] = lambda: run([xdist, *base, "-n", "2"], root)
    entry = {"tests": n_tests, "same_outcome": identical, "final_line": final_line(f.out)}
    entry.update(measure_variants(variants, repeat))
    # A fresh checkout (CI): no caches, and no bytecode written, so each run rewrites
    # and compiles every test module. Measured apart, so wiping the caches leaves the
    # warm variants above warm.
    cold_env = {"PYTHONDONTWRITEBYTECODE": "1"}

    def wipe_all() -> None:
        shutil.rmtree(root / ".fastest_cache", ignore_errors=True)
        clean_pytest_caches(root)

    cold = measure_variants(
        {
            "fastest_cold": lambda: run([fastest, *base], root, {**native, **cold_env}),
            "pytest_cold": lambda: run([pytest, *base], root, cold_env),
        },
        repeat,
        {"fastest_cold": wipe_all, "pytest_cold": wipe_all},
    )
    for key, values in cold.items():
        entry[key].update(values)
    med = entry["median_s"]
    n = max(n_tests, 1)
    ratios = {
        "fastest/bare_loop": med["fastest"] / med["bare_loop"],
        "pytest/fastest": med["pytest"] / med["fastest"],
        "pytest/fastest_n2": med["pytest"] / med["fastest_n2"],
        "pytest_engine/native": med["fastest_pytest_engine"] / med["fastest"],
        "pytest/pytest_engine": med["pytest"] / med["fastest_pytest_engine"],
        "pytest_cold/fastest_cold": med["pytest_cold"] / med["fastest_cold"],
    }
    if "fastest_mixed" in med:
        ratios["pytest/fastest_mixed"] = med["pytest_mixed"] / med["fastest_mixed"]
    if has_xdist:
        ratios["pytest_xdist_2/fastest"] = med["pytest_xdist_2"] / med["fastest"]
        ratios["pytest_xdist_2/fastest_n2"] = med["pytest_xdist_2"] / med["fastest_n2"]
    entry["ratios"] = ratios
    entry["overhead_us_per_test"] = (med["fastest"] - med["bare_loop"]) / n * 1e6
    entry["pytest_overhead_us_per_test"] = (med["pytest"] - med["bare_loop"]) / n * 1e6
    return entry


def coverage_section(out: str) -> str:
    """What pytest-cov prints (from its heading to the final line, which is left out)."""
    at = out.find(" tests coverage ")
    if at < 0:
        return ""
    return "\n".join(out[at:].splitlines()[:-1])


def bench_coverage(n_tests: int, repeat: int, workdir: Path, python: str) -> dict:
    root = workdir / f"coverage_{n_tests}"
    generate_suite(root, n_tests)
    import fastest

    fastest_cmd = [python, "-m", "fastest"]
    env = {"PYTHONPATH": str(Path(fastest.__file__).resolve().parent.parent)}
    pytest_cmd = [str(Path(python).with_name("pytest"))]
    base = ["-q", "-p", "no:cacheprovider", "--cov", "--cov-report=term"]
    cmds = {
        "fastest": (fastest_cmd + base, env),
        "fastest_n2": (fastest_cmd + base + ["-n", "2"], env),
        "pytest": (pytest_cmd + base, {}),
        "pytest_xdist_2": (pytest_cmd + base + ["-n", "2"], {}),
    }
    first = {k: run(c, root, e) for k, (c, e) in cmds.items()}
    sections = {k: coverage_section(m.out) for k, m in first.items()}
    lines = {k: final_line(m.out) for k, m in first.items()}
    entry = {
        "tests": n_tests,
        "final_lines": lines,
        "same_outcome": bool(sections["pytest"])
        and len(set(sections.values())) == 1
        and len(set(lines.values())) == 1
        and len({m.rc for m in first.values()}) == 1,
        "engine": fastest_engine(cmds["fastest"][0], root, env),
    }
    entry.update(
        measure_variants({k: (lambda c=c, e=e: run(c, root, e)) for k, (c, e) in cmds.items()}, repeat)
    )
    med = entry["median_s"]
    entry["ratios"] = {
        "pytest/fastest": med["pytest"] / med["fastest"],
        "pytest_xdist_2/fastest_n2": med["pytest_xdist_2"] / med["fastest_n2"],
    }
    return entry


def lpt_bound(history_file: Path, workers: int) -> dict:
    """max(longest group, total / workers) from fastest's history file, a group being
    one module's tests (the node id up to the first `::`)."""
    tests = json.loads(history_file.read_text())["tests"]
    groups: Dict[str, float] = {}
    for nodeid, e in tests.items():
        module = nodeid.split("::", 1)[0]
        groups[module] = groups.get(module, 0.0) + e["duration"]
    total = sum(groups.values())
    longest = max(groups, key=groups.__getitem__)
    return {
        "tests": len(tests),
        "total_s": total,
        "longest_group": longest,
        "longest_group_s": groups[longest],
        "lower_bound_s": max(groups[longest], total / workers),
    }


def bench_skew(repeat: int, workdir: Path, xdist: Optional[str], slow_sleep: float) -> dict:
    root = workdir / "skew"
    # The fast modules' total is kept near the slow module's (19 x 10 x fast_sleep ~
    # 5 x slow_sleep), so total / 2 is close to the longest group and the order matters.
    fast_sleep = round(slow_sleep * 5 / (19 * 10), 4)
    generate_skewed(root, files=20, slow_tests=5, slow_sleep=slow_sleep, fast_tests=10, fast_sleep=fast_sleep)
    fastest, pytest = tool("fastest"), tool("pytest")
    base = ["-q", "-n", "2"]
    cache = root / ".fastest_cache"

    def wipe() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    # Correctness, against pytest-xdist when there is one, else against plain pytest.
    wipe()
    f = run([fastest, *base], root)
    p = run([xdist, *base], root) if xdist else run([pytest, "-q"], root)
    variants = {
        "fastest_n2_first": lambda: run([fastest, *base], root),
        "fastest_n2_second": lambda: run([fastest, *base], root),
    }
    if xdist:
        variants["pytest_xdist_2"] = lambda: run([xdist, *base], root)
    entry = {
        "files": 20,
        "slow_tests": 5,
        "slow_sleep_s": slow_sleep,
        "fast_tests_per_file": 10,
        "fast_sleep_s": fast_sleep,
        "workers": 2,
        "same_outcome": final_line(f.out) == final_line(p.out) and f.rc == p.rc,
        "final_line": final_line(f.out),
    }
    # `first` wipes the history; `second` runs right after it, with the history `first`
    # wrote (interleaving keeps that pairing in every repetition).
    entry.update(measure_variants(variants, repeat, {"fastest_n2_first": wipe}))
    entry["bound"] = lpt_bound(cache / "history-v1.json", 2)
    b = entry["bound"]["lower_bound_s"]
    med = entry["median_s"]
    entry["ratios"] = {f"{k}/bound": v / b for k, v in med.items()}
    entry["above_bound_s"] = {k: v - b for k, v in med.items()}
    return entry


def outcome_total(line: str) -> int:
    """How many tests a final line counts (`2 failed, 598 passed, 1 warning in 1s`: 600)."""
    words = r"(?:passed|failed|errors?|skipped|xfailed|xpassed)\b"
    return sum(int(n) for n in re.findall(r"(\d+) " + words, line))


def bench_fixtures(repeat: int, workdir: Path, xdist: Optional[str], shape: str) -> dict:
    packages, files = (int(x) for x in shape.lower().split("x"))
    root = workdir / f"fixtures_{shape}"
    generate_fixtures(root, packages, files)
    fastest, pytest = tool("fastest"), tool("pytest")
    base = ["-q", "-p", "no:cacheprovider"]
    cmds = {
        "fastest": [fastest, *base],
        "fastest_n2": [fastest, *base, "-n", "2"],
        "pytest": [pytest, *base],
    }
    if xdist:
        cmds["pytest_xdist_2"] = [xdist, *base, "-n", "2"]
    first = {k: run(c, root) for k, c in cmds.items()}
    lines = {k: final_line(m.out) for k, m in first.items()}
    entry = {
        "shape": shape,
        "tests": outcome_total(lines["pytest"]),
        "final_lines": lines,
        "exit_codes": {k: m.rc for k, m in first.items()},
        "same_outcome": len(set(lines.values())) == 1 and len({m.rc for m in first.values()}) == 1,
        "engine": fastest_engine(cmds["fastest"], root),
    }
    entry.update(measure_variants({k: (lambda c=c: run(c, root)) for k, c in cmds.items()}, repeat))
    med = entry["median_s"]
    entry["ratios"] = {"pytest/fastest": med["pytest"] / med["fastest"]}
    if xdist:
        entry["ratios"]["pytest_xdist_2/fastest_n2"] = med["pytest_xdist_2"] / med["fastest_n2"]
    return entry


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def _yes(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def _s(m: dict, key: str, fmt: str = "{:.3f}") -> str:
    v = m.get(key)
    return fmt.format(v) if v is not None else "n/a"


def markdown(report: dict) -> str:
    lines = [
        f"# fastest benchmarks — {report['date']}",
        "",
        f"Machine: {report['machine']}. Command: `{report['command']}`",
    ]
    if report.get("collection"):
        lines += [
            "",
            "## Collection (`--collect-only -q`), median wall seconds",
            "",
            "| tests | identical | fastest cold | fastest warm | pytest warm | pytest cold | "
            "pytest warm / fastest cold | pytest warm / fastest warm | no-mmap / mmap |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report["collection"].values():
            m, q = r["median_s"], r["ratios"]
            lines.append(
                f"| {r['tests']} | {_yes(r['identical_output'])} | "
                f"{m['fastest_cold']:.3f} | {m['fastest_warm']:.3f} | {m['pytest_warm']:.3f} | "
                f"{m['pytest_cold']:.3f} | {q['pytest_warm/fastest_cold']:.1f}x | "
                f"{q['pytest_warm/fastest_warm']:.1f}x | {q['no_mmap/mmap (cold)']:.2f} |"
            )
    if report.get("run"):
        lines += [
            "",
            "## Running the tests, median wall seconds",
            "",
            "| tests | same outcome | fastest | fastest -n 2 | pytest | pytest -n 2 | bare loop | "
            "fastest / bare | pytest / fastest | pytest -n 2 / fastest -n 2 | "
            "overhead µs/test (fastest, pytest) | pytest engine | pytest engine / native | "
            "one package hooked: fastest (per module), pytest | pytest / fastest | "
            "cold (no caches, no bytecode): fastest, pytest | pytest / fastest cold |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report["run"].values():
            m, q = r["median_s"], r["ratios"]
            lines.append(
                f"| {r['tests']} | {_yes(r['same_outcome'])} | "
                f"{m['fastest']:.3f} | {_s(m, 'fastest_n2')} | {m['pytest']:.3f} | "
                f"{_s(m, 'pytest_xdist_2')} | {m['bare_loop']:.3f} | "
                f"{q['fastest/bare_loop']:.2f}x | {q['pytest/fastest']:.1f}x | "
                f"{_s(q, 'pytest_xdist_2/fastest_n2', '{:.1f}x')} | "
                f"{r['overhead_us_per_test']:.0f}, {r['pytest_overhead_us_per_test']:.0f} | "
                f"{_s(m, 'fastest_pytest_engine')} | {_s(q, 'pytest_engine/native', '{:.2f}x')} | "
                f"{_s(m, 'fastest_mixed')}, {_s(m, 'pytest_mixed')} | "
                f"{_s(q, 'pytest/fastest_mixed', '{:.1f}x')} | "
                f"{_s(m, 'fastest_cold')}, {_s(m, 'pytest_cold')} | "
                f"{_s(q, 'pytest_cold/fastest_cold', '{:.1f}x')} |"
            )
    for r in report.get("skew", {}).values():
        b, m, q = r["bound"], r["median_s"], r["ratios"]
        lines += [
            "",
            f"## Skewed scheduling on {r['workers']} workers, median wall seconds",
            "",
            f"{r['files']} modules: one of {r['slow_tests']} tests sleeping {r['slow_sleep_s']} s, "
            f"the others {r['fast_tests_per_file']} tests of {r['fast_sleep_s']} s. Lower bound "
            f"max(longest group {b['longest_group_s']:.3f} s, total {b['total_s']:.3f} s / "
            f"{r['workers']}) = {b['lower_bound_s']:.3f} s, from fastest's history. "
            f"Same outcome as pytest: {_yes(r['same_outcome'])}. The design's target for the "
            "second run is at most 1.1x the bound.",
            "",
            "| variant | wall | / bound | above bound (s) |",
            "|---|---|---|---|",
        ]
        names = {
            "fastest_n2_first": "fastest -n 2, first run (no history)",
            "fastest_n2_second": "fastest -n 2, second run (history)",
            "pytest_xdist_2": "pytest -n 2 (pytest-xdist)",
        }
        for k, v in m.items():
            lines.append(f"| {names.get(k, k)} | {v:.3f} | {q[k + '/bound']:.2f}x | {r['above_bound_s'][k]:.3f} |")
    for r in report.get("fixtures", {}).values():
        m, q = r["median_s"], r["ratios"]
        lines += [
            "",
            f"## Fixture-heavy suite ({r['shape']} packages x modules, {r['tests']} tests), median wall seconds",
            "",
            f"fastest's engine: {r['engine']}.",
            "",
            "| same outcome | fastest | fastest -n 2 | pytest | pytest -n 2 | pytest / fastest | "
            "pytest -n 2 / fastest -n 2 |",
            "|---|---|---|---|---|---|---|",
            f"| {_yes(r['same_outcome'])} | {m['fastest']:.3f} | {m['fastest_n2']:.3f} | "
            f"{m['pytest']:.3f} | {_s(m, 'pytest_xdist_2')} | {q['pytest/fastest']:.1f}x | "
            f"{_s(q, 'pytest_xdist_2/fastest_n2', '{:.1f}x')} |",
        ]
        if not r["same_outcome"]:
            lines.append("")
            lines += [f"- **{k}**: `{v}` (exit {r['exit_codes'][k]})" for k, v in r["final_lines"].items()]
    for r in report.get("coverage", {}).values():
        m, q = r["median_s"], r["ratios"]
        lines += [
            "",
            f"## Coverage (`--cov`, pytest-cov 7.1) of a {r['tests']}-test suite, median wall seconds",
            "",
            f"fastest's engine: {r['engine']}.",
            "",
            "| same report | fastest | fastest -n 2 | pytest | pytest -n 2 | pytest / fastest | "
            "pytest -n 2 / fastest -n 2 |",
            "|---|---|---|---|---|---|---|",
            f"| {_yes(r['same_outcome'])} | {m['fastest']:.3f} | {m['fastest_n2']:.3f} | "
            f"{m['pytest']:.3f} | {m['pytest_xdist_2']:.3f} | {q['pytest/fastest']:.1f}x | "
            f"{q['pytest_xdist_2/fastest_n2']:.1f}x |",
        ]
    if report.get("real_projects"):
        from real_projects import missing_reason

        lines += [
            "",
            "## Real projects (pinned sdists), median wall seconds",
            "",
            "| project | tests | fastest's engine | collect: fastest | pytest | pytest / fastest | "
            "run: fastest | pytest | pytest / fastest | fastest -n 2 | pytest -n 2 | "
            "pytest -n 2 / fastest -n 2 |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        mismatches = []
        for r in report["real_projects"].values():
            why = missing_reason(r)
            if why:
                lines.append(
                    f"| {r['requirement']} | {r.get('tests', '?')} | {r.get('engine', '?')} | "
                    f"**{why.split(':')[0]}** |" + " |" * 8
                )
                mismatches.append(f"- **{r['requirement']}**: {why}")
                continue
            m, q = r["median_s"], r["ratios"]
            lines.append(
                f"| {r['requirement']} | {r['tests']} | {r['engine']} | {m['fastest_collect']:.3f} | {m['pytest_collect']:.3f} | "
                f"{q['collect pytest/fastest']:.1f}x | {m['fastest']:.3f} | {m['pytest']:.3f} | "
                f"{q['pytest/fastest']:.1f}x | {m['fastest_n2']:.3f} | {m['pytest_xdist_2']:.3f} | "
                f"{q['pytest_xdist_2/fastest_n2']:.1f}x |"
            )
        if mismatches:
            lines += ["", *mismatches]
    lines += [
        "",
        "## CPU and peak memory, medians",
        "",
        "CPU: user + system seconds of the command and the descendants it reaped (workers "
        "included). Max RSS: the peak resident set of the largest single process of that tree "
        "(not a sum over workers), MiB.",
        "",
        "| part | suite | variant | wall s | CPU s | max RSS MiB |",
        "|---|---|---|---|---|---|",
    ]
    for part in PARTS:
        for suite, r in report.get(part, {}).items():
            for k, wall in r.get("median_s", {}).items():
                # Schema-1 reports (before rusage was measured) have wall times only.
                cpu, rss = r.get("cpu_s", {}).get(k), r.get("max_rss_mb", {}).get(k)
                lines.append(
                    f"| {part} | {suite} | {k} | {wall:.3f} | "
                    f"{'n/a' if cpu is None else f'{cpu:.3f}'} | {'n/a' if rss is None else f'{rss:.0f}'} |"
                )
    return "\n".join(lines) + "\n"


#: The report's parts, each `{suite name: entry}` with the entry's `median_s`,
#: `cpu_s` and `max_rss_mb` keyed by variant.
PARTS = ("collection", "run", "skew", "fixtures", "coverage", "real_projects")


def compare(report: dict, baseline: dict, threshold: float, min_delta: float = 0.0) -> List[str]:
    """fastest medians that are slower than the baseline's by more than `threshold`
    (relative) and by more than `min_delta` seconds."""
    regressions = []
    for part in PARTS:
        for suite, r in report.get(part, {}).items():
            base = baseline.get(part, {}).get(suite)
            if not base or "median_s" not in r or "median_s" not in base:
                continue
            for k, new in r["median_s"].items():
                old = base["median_s"].get(k)
                if not k.startswith("fastest") or old is None:
                    continue
                if old > 0 and (new - old) / old > threshold and new - old > min_delta:
                    regressions.append(f"{part} {suite} {k}: {old:.3f}s -> {new:.3f}s")
    return regressions


def problems(report: dict) -> List[str]:
    """Every place where fastest's answer differs from pytest's."""
    out = []
    for size, r in report.get("collection", {}).items():
        if not r["identical_output"]:
            out.append(f"collection of {size} tests: output differs from pytest's")
    for part in ("run", "skew", "fixtures", "coverage"):
        for suite, r in report.get(part, {}).items():
            if not r["same_outcome"]:
                out.append(f"{part} {suite}: outcome differs from pytest's")
    if report.get("real_projects"):
        from real_projects import missing_reason

        for name, r in report["real_projects"].items():
            why = missing_reason(r)
            if why:
                out.append(f"real project {name}: {why}")
    return out


def compile_fastest() -> None:
    """Write the bytecode of fastest's own Python modules, as installing the wheel does:
    this checkout's editable install under `PYTHONDONTWRITEBYTECODE` would otherwise
    have every worker compile the engine again (some 25 ms each), which no installed
    fastest does."""
    import compileall

    compileall.compile_dir(str(HERE.parent / "python" / "fastest"), quiet=1)


def measure(args: argparse.Namespace, argv: List[str]) -> dict:
    compile_fastest()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    run_sizes = [int(s) for s in args.run_sizes.split(",") if s]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="fastest-bench-"))
    report: dict = {
        "schema": 2,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{os.cpu_count()} cpus, {sys.platform}, Python {sys.version.split()[0]}",
        "command": "python benches/run.py " + " ".join(argv),
        "rusage": "cpu_s = ru_utime + ru_stime and max_rss_mb = ru_maxrss of os.wait4 on the command: "
        "itself plus the descendants it reaped; max_rss_mb is the largest single process, not a sum",
        "collection": {},
        "run": {},
        "skew": {},
        "fixtures": {},
        "coverage": {},
        "real_projects": {},
    }
    for n in sizes:
        print(f"benchmarking collection of {n} tests ...", file=sys.stderr)
        report["collection"][str(n)] = bench_suite(n, args.repeat, workdir)
    wants_xdist = run_sizes or not args.no_skew or args.fixtures != "none"
    xdist = None if args.no_xdist or not wants_xdist else xdist_pytest()
    for n in run_sizes:
        print(f"benchmarking a run of {n} tests ...", file=sys.stderr)
        report["run"][str(n)] = bench_run(n, args.repeat, workdir, xdist)
    if not args.no_skew:
        print("benchmarking skewed scheduling on 2 workers ...", file=sys.stderr)
        report["skew"][f"20 modules, 5 x {args.skew_sleep}s"] = bench_skew(args.repeat, workdir, xdist, args.skew_sleep)
    if args.fixtures != "none":
        print(f"benchmarking the fixture-heavy suite {args.fixtures} ...", file=sys.stderr)
        report["fixtures"][args.fixtures] = bench_fixtures(args.repeat, workdir, xdist, args.fixtures)
    if args.coverage != "none":
        python = cov_python()
        if python is not None:
            n = int(args.coverage)
            print(f"benchmarking coverage of {n} tests ...", file=sys.stderr)
            report["coverage"][str(n)] = bench_coverage(n, args.repeat, workdir, python)
    if args.real_projects != "none":
        from real_projects import bench_project, select

        for name in select(args.real_projects):
            print(f"benchmarking real project {name} ...", file=sys.stderr)
            report["real_projects"][name] = bench_project(name, args.repeat, workdir)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="small defaults for every part (a smoke test)")
    ap.add_argument("--sizes", help=f"collection suites (default {DEFAULTS['sizes']})")
    ap.add_argument("--run-sizes", help=f"run suites (default {DEFAULTS['run_sizes']})")
    ap.add_argument("--repeat", type=int, help=f"runs per variant (default {DEFAULTS['repeat']})")
    ap.add_argument("--skew-sleep", type=float, help="seconds each slow test sleeps (default 0.4)")
    ap.add_argument("--no-skew", action="store_true", help="skip the skewed scheduling suite")
    ap.add_argument("--fixtures", help="fixture suite as PACKAGESxFILES, or none (default 4x10)")
    ap.add_argument("--real-projects", help="default, all, none, or comma-separated names")
    ap.add_argument("--coverage", help="tests in the --cov suite, or none (default 5000)")
    ap.add_argument("--out", default="benchmark_reports")
    ap.add_argument("--compare", default=None, help="baseline report JSON to check for regressions")
    ap.add_argument("--threshold", type=float, default=0.25, help="relative slowdown that fails --compare")
    # Medians of a few tens of milliseconds (warm collection) move by more than 25% when
    # a process start is descheduled once on a shared runner; a regression must also be
    # this many seconds to count.
    ap.add_argument("--min-delta", type=float, default=0.02, help="absolute slowdown (s) that --compare ignores")
    ap.add_argument("--workdir", default=None, help="keep the generated suites here")
    ap.add_argument("--no-xdist", action="store_true", help="skip pytest -n 2 (no venv made)")
    ap.add_argument("--from-report", default=None, help="measure nothing: render and compare this report")
    args = ap.parse_args(argv)
    for key, value in (TINY if args.tiny else DEFAULTS).items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    if args.from_report:
        report = json.loads(Path(args.from_report).read_text())
    else:
        report = measure(args, argv)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
        (out / f"{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
        (out / f"{stamp}.md").write_text(markdown(report))
    print(markdown(report))
    status = 0
    for problem in problems(report):
        print(f"ERROR: {problem}", file=sys.stderr)
        status = 1
    if args.compare:
        regs = compare(report, json.loads(Path(args.compare).read_text()), args.threshold, args.min_delta)
        for r in regs:
            print(f"REGRESSION: {r}", file=sys.stderr)
        if regs:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
