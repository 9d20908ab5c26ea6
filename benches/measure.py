"""How benches/run.py times one command: wall clock, CPU and peak memory of the child.

Every variant of every suite goes through `run()`, so all numbers in a report mean the
same thing:

  * **wall** — `time.perf_counter()` from just before the child is spawned to just after
    it has been reaped.
  * **cpu** — `ru_utime + ru_stime` of the rusage `os.wait4` returns for the child. On
    Linux that is the child's own time plus the time of every descendant it waited for
    (the kernel folds a reaped process's times into its parent's "children" totals, and
    wait4 reports self + children). fastest's workers and pytest-xdist's workers are
    reaped by their coordinator, so their CPU is included; a descendant left running or
    never waited for is not.
  * **max_rss** — `ru_maxrss` of the same rusage: the peak resident set of the *largest
    single process* in that tree (the kernel keeps the maximum, not a sum), so for
    `fastest -n 2` it is max(coordinator, worker 1, worker 2), never their total.
    Reported in MiB (Linux reports KiB, macOS bytes; both are converted).

Where `os.wait4` does not exist (Windows) only the wall time is measured and the other two
are `None`.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence

# ru_maxrss is in KiB on Linux and in bytes on macOS (getrusage(2) on each).
_RSS_TO_MIB = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024


# Variables that would make fastest print what pytest does not (annotations under GitHub
# Actions, where bench.yml runs; a JSON report asked for by an outer run), so the
# outputs the bench compares would differ for a reason that is not a bug; and the outer
# environment's pytest options: the suites are measured as their configuration says.
_SCRUB = {"GITHUB_ACTIONS", "FASTEST_JSON_REPORT", "PYTEST_ADDOPTS"}


@dataclass
class Measurement:
    """One finished command."""

    wall: float
    cpu: Optional[float]
    max_rss_mb: Optional[float]
    out: str
    err: str
    rc: int


def run(
    cmd: Sequence[str],
    cwd: Path,
    env: Optional[Mapping[str, str]] = None,
    timeout: Optional[float] = None,
) -> Measurement:
    """Run `cmd` in `cwd` with `env` added to this process's environment (less `_SCRUB`).
    After `timeout` seconds the command is killed (its workers see their pipes close)."""
    e = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    e.update(env or {})
    # Output goes to unbuffered temp files rather than pipes: `communicate()` would reap
    # the child itself (and its rusage with it), and a pipe left unread can fill up and
    # stall a chatty child.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(list(cmd), cwd=cwd, env=e, stdout=out, stderr=err)
        killer = None
        if timeout is not None:
            killer = threading.Timer(timeout, p.kill)
            killer.start()
        try:
            if hasattr(os, "wait4"):
                _, status, ru = os.wait4(p.pid, 0)
                wall = time.perf_counter() - t0
                # Tell Popen the child is gone, so it never waits for it again.
                p.returncode = os.waitstatus_to_exitcode(status)
                cpu: Optional[float] = ru.ru_utime + ru.ru_stime
                rss: Optional[float] = ru.ru_maxrss * _RSS_TO_MIB
            else:
                p.wait()
                wall = time.perf_counter() - t0
                cpu = rss = None
        finally:
            if killer is not None:
                killer.cancel()
        out.seek(0)
        err.seek(0)
        return Measurement(
            wall=wall,
            cpu=cpu,
            max_rss_mb=rss,
            out=out.read().decode("utf-8", "replace"),
            err=err.read().decode("utf-8", "replace"),
            rc=p.returncode,
        )


def _median(values: List[Optional[float]]) -> Optional[float]:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def measure_variants(
    variants: Mapping[str, Callable[[], Measurement]],
    repeat: int,
    before_each: Optional[Mapping[str, Callable[[], None]]] = None,
) -> Dict[str, dict]:
    """Run every variant `repeat` times, interleaved (A B C A B C ...), so machine noise
    hits every variant alike. `before_each[name]` runs untimed before each run of `name`
    (wiping or re-warming a cache).

    Returns the report's per-variant keys: `median_s`, `runs_s` (wall), `cpu_s` and
    `max_rss_mb` (medians; `None` where not measurable).
    """
    walls: Dict[str, List[float]] = {k: [] for k in variants}
    cpus: Dict[str, List[Optional[float]]] = {k: [] for k in variants}
    rsss: Dict[str, List[Optional[float]]] = {k: [] for k in variants}
    for _ in range(repeat):
        for name, fn in variants.items():
            if before_each and name in before_each:
                before_each[name]()
            m = fn()
            walls[name].append(m.wall)
            cpus[name].append(m.cpu)
            rsss[name].append(m.max_rss_mb)
    return {
        "median_s": {k: statistics.median(v) for k, v in walls.items()},
        "runs_s": walls,
        "cpu_s": {k: _median(v) for k, v in cpus.items()},
        "max_rss_mb": {k: _median(v) for k, v in rsss.items()},
    }


def normalise(out: str) -> str:
    """The output with run times (`in 1.23s`) blanked, for comparing two tools."""
    return re.sub(r" in [0-9.]+s", " in Xs", out)


def final_line(out: str) -> str:
    """The last non-blank line (pytest's outcome counts), normalised."""
    lines = [line for line in out.strip().splitlines() if line.strip()]
    return normalise(lines[-1]) if lines else ""


def fastest_engine(cmd: Sequence[str], cwd: Path, env: Optional[Mapping[str, str]] = None) -> str:
    """Which engine a fastest run (`cmd`) uses, from one untimed `-v` run: `native`,
    `pytest engine: <why>` (the items go through pytest's runtest protocol in fastest's
    workers), or `pytest: <why>` (the whole session is handed to pytest; found with
    FASTEST_NO_DELEGATE=1, which makes fastest say so and stop instead)."""
    m = run([*cmd, "-v"], cwd, {**(env or {}), "FASTEST_NO_DELEGATE": "1"})
    for line in m.err.splitlines():
        if line.startswith("fastest: pytest would run this session: "):
            return "pytest: " + line.split(": ", 2)[2]
    marker = "fastest: the pytest engine runs the items ("
    for line in m.out.splitlines():
        if line.startswith(marker):
            return "pytest engine: " + line[len(marker) : -1]
    return "native"
