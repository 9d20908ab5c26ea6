"""fastest's end-to-end benchmarks, side by side with pytest in one interleaved run.

Usage (from the repo root, after `./dev setup`; `./dev bench` does both):

    python benches/run.py [--sizes 5000,60000] [--repeat 5] [--compare BASELINE.json]
                          [--threshold 0.25] [--out benchmark_reports]

What it measures, per generated suite (plain functions, classes, parametrize and conftest
fixtures, 20 tests per file):
  * `fastest --collect-only -q`, cold (no discovery cache) and warm (cache present), and
    with memory-mapped reads switched off (FASTEST_NO_MMAP=1) to keep the mmap decision
    honest;
  * `pytest --collect-only -q`, warm (bytecode and assertion-rewrite caches present) and
    cold (PYTHONDONTWRITEBYTECODE=1, caches removed).
And per run suite (`--run-sizes`, default 25 and 5,000 tests), running the tests:
  * `fastest` (the native engine, `FASTEST_ENGINE=native`), `fastest -n 2`, `pytest`,
    `pytest -n 2` (pytest-xdist, from a venv of its own that this script creates once
    under .pytest_cache/d/fastest-xdist-venv, because an installed plugin would change
    every pytest run; `--no-xdist` skips it), and the floor: `benches/bare_loop.py`, which
    imports the modules and calls the functions with nothing around them. Reported:
    medians, ratios, and fastest's per-test overhead above the floor in microseconds.
Runs are interleaved (A B C A B C ...) so machine noise hits every variant alike; the
median wall time and the ratio to fastest are reported. Outputs of the two tools are
compared once per suite, so a speed number never hides a wrong answer.

Writes benchmark_reports/<date>.json and .md. With --compare, exits 1 when a fastest
median regressed by more than --threshold (relative) against the baseline JSON.
No timing is asserted anywhere in the test suite; this script is where speed lives.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    exe = BIN / name
    return str(exe) if exe.exists() else (shutil.which(name) or name)


def generate_suite(root: Path, n_tests: int) -> None:
    """A realistic generated suite: 20 tests per file, 50 files per package."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow tests\n")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "conftest.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef base():\n    return 1\n\n"
        "@pytest.fixture(params=[1, 2])\ndef pair(request):\n    return request.param\n"
    )
    per_file = 20
    n_files = max(1, n_tests // per_file)
    for i in range(n_files):
        pkg = root / "tests" / f"pkg_{i // 50:03d}"
        if not pkg.exists():
            pkg.mkdir()
            (pkg / "__init__.py").write_text("")
        lines = ["import pytest", "", f"CONST_{i} = [1, 2, 3]", ""]
        # 8 plain functions
        for j in range(8):
            lines += [f"def test_plain_{j}(base):", f"    assert base + {j} > 0", ""]
        # a class with 4 methods
        lines += [f"class TestGroup{i}:"]
        for j in range(4):
            lines += [f"    def test_m{j}(self):", "        assert True", ""]
        # parametrize: 3 + 3 items, fixture params: 2 items
        lines += [
            f"@pytest.mark.parametrize('x', CONST_{i})",
            "def test_param(x):",
            "    assert x",
            "",
            "@pytest.mark.parametrize('a,b', [(1, 'one'), (2, 'two'), (3, 'three')])",
            "@pytest.mark.slow",
            "def test_pairs(a, b):",
            "    assert a and b",
            "",
            "def test_fixture_param(pair):",
            "    assert pair",
            "",
        ]
        (pkg / f"test_mod_{i:05d}.py").write_text("\n".join(lines))


def xdist_pytest() -> str | None:
    """`pytest` of a venv with pytest-xdist next to the same pytest (made once)."""
    root = HERE.parent / ".pytest_cache" / "d" / "fastest-xdist-venv"
    wanted = "pytest==9.2.0 pytest-xdist==3.8.0"
    marker = root / "installed.txt"
    if not marker.exists() or marker.read_text() != wanted:
        import venv

        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        p = subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check", *wanted.split()],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"pytest-xdist not available ({p.stdout}{p.stderr}); skipping it", file=sys.stderr)
            return None
        marker.write_text(wanted)
    return str(root / "bin" / "pytest")


def clean_pytest_caches(root: Path) -> None:
    for p in root.rglob("__pycache__"):
        shutil.rmtree(p, ignore_errors=True)
    shutil.rmtree(root / ".pytest_cache", ignore_errors=True)


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str, int]:
    e = dict(os.environ)
    e.update(env or {})
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=e, capture_output=True, text=True)
    return time.perf_counter() - t0, p.stdout, p.returncode


def normalise(out: str) -> str:
    return re.sub(r" in [0-9.]+s", " in Xs", out)


def bench_suite(n_tests: int, repeat: int, workdir: Path) -> dict:
    root = workdir / f"suite_{n_tests}"
    generate_suite(root, n_tests)
    fastest, pytest = tool("fastest"), tool("pytest")
    co = ["--collect-only", "-q"]

    # Correctness first: identical output.
    _, f_out, f_rc = run([fastest, *co], root)
    _, p_out, p_rc = run([pytest, *co, "-p", "no:cacheprovider"], root)
    identical = normalise(f_out) == normalise(p_out) and f_rc == p_rc
    n_collected = sum(1 for line in p_out.splitlines() if "::" in line)

    variants = {
        "fastest_cold": lambda: (
            shutil.rmtree(root / ".fastest_cache", ignore_errors=True),
            run([fastest, *co], root),
        )[1],
        "fastest_warm": lambda: run([fastest, *co], root),
        "fastest_cold_no_mmap": lambda: (
            shutil.rmtree(root / ".fastest_cache", ignore_errors=True),
            run([fastest, *co], root, {"FASTEST_NO_MMAP": "1"}),
        )[1],
        "pytest_warm": lambda: run([pytest, *co], root),
        "pytest_cold": lambda: (
            clean_pytest_caches(root),
            run([pytest, *co], root, {"PYTHONDONTWRITEBYTECODE": "1"}),
        )[1],
    }
    # Warm the warm variants once.
    run([fastest, *co], root)
    run([pytest, *co], root)
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(repeat):
        for name, fn in variants.items():
            if name == "pytest_warm":
                run([pytest, *co], root)  # re-warm after the cold variant wiped caches
            t, _, _ = fn()
            times[name].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "tests": n_collected,
        "identical_output": identical,
        "median_s": med,
        "runs_s": times,
        "ratios": {
            "pytest_warm/fastest_cold": med["pytest_warm"] / med["fastest_cold"],
            "pytest_warm/fastest_warm": med["pytest_warm"] / med["fastest_warm"],
            "pytest_cold/fastest_cold": med["pytest_cold"] / med["fastest_cold"],
            "no_mmap/mmap (cold)": med["fastest_cold_no_mmap"] / med["fastest_cold"],
        },
    }


def _final_line(out: str) -> str:
    lines = [l for l in out.strip().splitlines() if l.strip()]
    return normalise(lines[-1]) if lines else ""


def bench_run(n_tests: int, repeat: int, workdir: Path, xdist: str | None) -> dict:
    root = workdir / f"run_{n_tests}"
    generate_suite(root, n_tests)
    fastest, pytest = tool("fastest"), tool("pytest")
    base = ["-q", "-p", "no:cacheprovider"]
    native = {"FASTEST_ENGINE": "native"}
    _, f_out, f_rc = run([fastest, *base], root, native)
    _, p_out, p_rc = run([pytest, *base], root)
    _, e_out, e_rc = run([fastest, *base, "--engine", "pytest"], root)
    identical = _final_line(f_out) == _final_line(p_out) and f_rc == p_rc
    identical = identical and _final_line(e_out) == _final_line(p_out) and e_rc == p_rc
    variants = {
        "fastest": lambda: run([fastest, *base], root, native),
        "fastest_n2": lambda: run([fastest, *base, "-n", "2"], root, native),
        # The same suite through pytest's runtest protocol in fastest's worker: the
        # price of each `auto` decision for the pytest engine.
        "fastest_pytest_engine": lambda: run([fastest, *base, "--engine", "pytest"], root),
        "pytest": lambda: run([pytest, *base], root),
        "bare_loop": lambda: run([sys.executable, str(HERE / "bare_loop.py"), "tests"], root),
    }
    has_xdist = xdist is not None
    if has_xdist:
        variants["pytest_xdist_2"] = lambda: run([xdist, *base, "-n", "2"], root)
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(repeat):
        for name, fn in variants.items():
            t, _, _ = fn()
            times[name].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    n = max(n_tests, 1)
    ratios = {
        "fastest/bare_loop": med["fastest"] / med["bare_loop"],
        "pytest/fastest": med["pytest"] / med["fastest"],
    }
    ratios["pytest/fastest_n2"] = med["pytest"] / med["fastest_n2"]
    ratios["pytest_engine/native"] = med["fastest_pytest_engine"] / med["fastest"]
    ratios["pytest/pytest_engine"] = med["pytest"] / med["fastest_pytest_engine"]
    if has_xdist:
        ratios["pytest_xdist_2/fastest"] = med["pytest_xdist_2"] / med["fastest"]
        ratios["pytest_xdist_2/fastest_n2"] = med["pytest_xdist_2"] / med["fastest_n2"]
    return {
        "tests": n_tests,
        "same_outcome": identical,
        "final_line": _final_line(f_out),
        "median_s": med,
        "runs_s": times,
        "ratios": ratios,
        "overhead_us_per_test": (med["fastest"] - med["bare_loop"]) / n * 1e6,
        "pytest_overhead_us_per_test": (med["pytest"] - med["bare_loop"]) / n * 1e6,
    }


def markdown(report: dict) -> str:
    lines = [
        f"# fastest benchmarks — {report['date']}",
        "",
        f"Machine: {report['machine']}. Command: `{report['command']}`",
        "",
        "## Collection (`--collect-only -q`), median wall seconds",
        "",
        "| tests | identical | fastest cold | fastest warm | pytest warm | pytest cold | "
        "pytest warm / fastest cold | pytest warm / fastest warm | no-mmap / mmap |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, r in report["collection"].items():
        m, q = r["median_s"], r["ratios"]
        lines.append(
            f"| {r['tests']} | {'yes' if r['identical_output'] else '**NO**'} | "
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
            "overhead µs/test (fastest, pytest) | pytest engine | pytest engine / native |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for size, r in report["run"].items():
            m, q = r["median_s"], r["ratios"]
            xd = f"{m['pytest_xdist_2']:.3f}" if "pytest_xdist_2" in m else "n/a"
            xq = f"{q['pytest_xdist_2/fastest_n2']:.1f}x" if "pytest_xdist_2" in m else "n/a"
            n2 = f"{m['fastest_n2']:.3f}" if "fastest_n2" in m else "n/a"
            pe = f"{m['fastest_pytest_engine']:.3f}" if "fastest_pytest_engine" in m else "n/a"
            pq = f"{q['pytest_engine/native']:.2f}x" if "pytest_engine/native" in q else "n/a"
            lines.append(
                f"| {r['tests']} | {'yes' if r['same_outcome'] else '**NO**'} | "
                f"{m['fastest']:.3f} | {n2} | {m['pytest']:.3f} | {xd} | {m['bare_loop']:.3f} | "
                f"{q['fastest/bare_loop']:.2f}x | {q['pytest/fastest']:.1f}x | {xq} | "
                f"{r['overhead_us_per_test']:.0f}, {r['pytest_overhead_us_per_test']:.0f} | "
                f"{pe} | {pq} |"
            )
    return "\n".join(lines) + "\n"


def compare(report: dict, baseline: dict, threshold: float) -> list[str]:
    regressions = []
    for size, r in report["collection"].items():
        base = baseline.get("collection", {}).get(size)
        if not base:
            continue
        for k in ("fastest_cold", "fastest_warm"):
            new, old = r["median_s"][k], base["median_s"][k]
            if old > 0 and (new - old) / old > threshold:
                regressions.append(f"{size} tests {k}: {old:.3f}s -> {new:.3f}s")
    for size, r in report.get("run", {}).items():
        base = baseline.get("run", {}).get(size)
        if not base:
            continue
        new, old = r["median_s"]["fastest"], base["median_s"]["fastest"]
        if old > 0 and (new - old) / old > threshold:
            regressions.append(f"run of {size} tests: {old:.3f}s -> {new:.3f}s")
    return regressions


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5000,60000")
    ap.add_argument("--run-sizes", default="25,5000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default="benchmark_reports")
    ap.add_argument("--compare", default=None)
    ap.add_argument("--threshold", type=float, default=0.25)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--no-xdist", action="store_true", help="skip pytest -n 2 (no venv made)")
    args = ap.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="fastest-bench-"))
    report = {
        "schema": 1,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{os.cpu_count()} cpus, {sys.platform}, Python {sys.version.split()[0]}",
        "command": "python benches/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "collection": {},
        "run": {},
    }
    for n in sizes:
        print(f"benchmarking collection of {n} tests ...", file=sys.stderr)
        report["collection"][str(n)] = bench_suite(n, args.repeat, workdir)
    run_sizes = [int(s) for s in args.run_sizes.split(",") if s]
    xdist = None if args.no_xdist or not run_sizes else xdist_pytest()
    for n in run_sizes:
        print(f"benchmarking a run of {n} tests ...", file=sys.stderr)
        report["run"][str(n)] = bench_run(n, args.repeat, workdir, xdist)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")
    (out / f"{stamp}.json").write_text(json.dumps(report, indent=2))
    md = markdown(report)
    (out / f"{stamp}.md").write_text(md)
    print(md)
    status = 0
    if any(not r["same_outcome"] for r in report["run"].values()):
        print("ERROR: fastest's run outcome differs from pytest's", file=sys.stderr)
        status = 1
    if any(not r["identical_output"] for r in report["collection"].values()):
        print("ERROR: fastest's output differs from pytest's on a generated suite", file=sys.stderr)
        status = 1
    if args.compare:
        regs = compare(report, json.loads(Path(args.compare).read_text()), args.threshold)
        for r in regs:
            print(f"REGRESSION: {r}", file=sys.stderr)
        if regs:
            status = 1
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
