"""A worker process: ``python -c "...; from fastest._worker import main; main()"``.

Started by the coordinator (``crates/fastest-runner/src/pool.rs``) in the user's
interpreter; the protocol loop is Rust (``fastest._fastest.worker_main``), the test
semantics are ``fastest._engine``.

``FASTEST_WORKER_PROFILE=FILE`` writes a cProfile of the worker to FILE (for
``python -m pstats FILE``): the engine's per-test cost is measured this way.
"""

from __future__ import annotations

import os


def main() -> None:
    from fastest import _fastest
    from fastest._engine import Engine

    profile = os.environ.get("FASTEST_WORKER_PROFILE")
    if not profile:
        _fastest.worker_main(Engine.from_json)
        return
    import cProfile

    prof = cProfile.Profile()
    try:
        prof.runcall(_fastest.worker_main, Engine.from_json)
    finally:
        prof.dump_stats(profile)


if __name__ == "__main__":
    main()
