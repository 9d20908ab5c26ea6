"""How fast a worker can start: spawning fresh interpreters (what fastest does) against
forking them from a preloaded server (a "fork-server" or zygote).

A fastest worker is the user's interpreter importing pytest and the engine
(`fastest._engine`) before its first test; that costs about 0.2 s of CPU. A fork-server
would pay it once and fork every worker (and every replacement after a crash or a
timeout) from the loaded process. This script measures both on this machine, without
fastest's pool in the way:

  * spawn N: N fresh `python -c "import fastest._engine"` started at once; wall time until
    the last has its imports done;
  * fork N: one process imports the same, then forks N children; wall time from its
    start until the last child is running (children exit at once);
  * replacement: with the server already loaded, one more worker by fork against one
    more fresh interpreter (what a crashed or timed-out worker's replacement costs).

`python benches/worker_start.py [--workers 1,2,4,8] [--repeat 5] [--json FILE]` prints a
Markdown table (medians). Run it from a checkout after `./dev setup` (its venv's python
is used when present). The decision it informs is written in ARCHITECTURE.md
("Worker start").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
PRELOAD = "import fastest._engine"

# The server: load what a worker loads, then fork `n` children that exit at once; print
# the seconds from the server's start (argv[2], a time.time() stamp taken by the
# parent before spawning it) until every child has been reaped, and the seconds one
# more fork takes once loaded.
SERVER = f"""
import os, sys, time
{PRELOAD}
n, t0 = int(sys.argv[1]), float(sys.argv[2])
pids = []
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
all_ready = time.time() - t0
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
one_more = time.perf_counter() - t
print(all_ready, one_more)
"""


def python() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def spawn(n: int) -> float:
    """Wall seconds until `n` fresh interpreters started at once have loaded (each says
    so on its stdout; their exit is not timed)."""
    t0 = time.perf_counter()
    code = f"{PRELOAD}; print('ready', flush=True)"
    procs = [subprocess.Popen([python(), "-c", code], stdout=subprocess.PIPE) for _ in range(n)]
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline().strip() != b"ready":
            raise SystemExit(f"{python()} cannot {PRELOAD!r}: run ./dev setup first")
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.wait()
    return elapsed


def fork(n: int) -> tuple:
    """(wall seconds until `n` forked workers run, seconds of one more fork)."""
    out = subprocess.run(
        [python(), "-c", SERVER, str(n), repr(time.time())],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def measure(workers: List[int], repeat: int) -> Dict[str, object]:
    rows = []
    replacement_fork: List[float] = []
    for n in workers:
        spawned, forked = [], []
        for _ in range(repeat):
            # Interleaved, so both see the same machine.
            spawned.append(spawn(n))
            all_ready, one_more = fork(n)
            forked.append(all_ready)
            replacement_fork.append(one_more)
        rows.append({
            "workers": n,
            "spawn_s": statistics.median(spawned),
            "fork_s": statistics.median(forked),
        })
    return {
        "python": python(),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "rows": rows,
        "replacement": {
            "spawn_s": statistics.median(spawn(1) for _ in range(repeat)),
            "fork_s": statistics.median(replacement_fork),
        },
    }


def markdown(r: Dict[str, object]) -> str:
    lines = [
        f"Worker start on {r['cpus']} cpus, medians of {r['repeat']} ({r['python']}):",
        "",
        "| workers | spawn (s) | fork-server (s) | spawn / fork |",
        "|---|---|---|---|",
    ]
    for row in r["rows"]:  # type: ignore[union-attr]
        ratio = row["spawn_s"] / row["fork_s"] if row["fork_s"] else float("nan")
        lines.append(f"| {row['workers']} | {row['spawn_s']:.3f} | {row['fork_s']:.3f} | {ratio:.2f}x |")
    rep = r["replacement"]
    lines += [
        "",
        f"One replacement worker: spawn {rep['spawn_s'] * 1000:.0f} ms, "  # type: ignore[index]
        f"fork from a loaded server {rep['fork_s'] * 1000:.1f} ms.",  # type: ignore[index]
    ]
    return "\n".join(lines)


def main(argv: List[str] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", default="1,2,4,8")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=None, help="also write the measurements here")
    args = ap.parse_args(argv)
    if not hasattr(os, "fork"):
        print("no os.fork on this platform: there is no fork-server to measure")
        return 0
    r = measure([int(w) for w in args.workers.split(",") if w], args.repeat)
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2) + "\n")
    print(markdown(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
