"""A worker process: ``python -c "...; from fastest._worker import main; main()"``.

Started by the coordinator (``crates/fastest-runner/src/pool.rs``) in the user's
interpreter; the protocol loop is Rust (``fastest._fastest.worker_main``), the test
semantics are ``fastest._engine``.
"""

from __future__ import annotations


def main() -> None:
    from fastest import _fastest
    from fastest._engine import Engine

    _fastest.worker_main(Engine.from_json)


if __name__ == "__main__":
    main()
