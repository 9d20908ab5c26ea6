"""The floor for running a suite: import every test module and call every test function
and method once, with nothing around the call (no fixtures, capture, reports).

`python benches/bare_loop.py DIR` prints how many callables it called. Arguments are
passed as `1` (the generated suites' fixtures and parameters are small ints), and
exceptions are swallowed: only the cost of importing and calling is measured.
"""

from __future__ import annotations

import importlib
import os
import sys


def main(root: str) -> int:
    import pytest  # noqa: F401  (test modules import it; so does every runner)

    called = 0
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not (name.startswith("test_") and name.endswith(".py")):
                continue
            sys.path.insert(0, dirpath)
            try:
                mod = importlib.import_module(name[:-3])
            finally:
                sys.path.pop(0)
            sys.modules.pop(name[:-3], None)
            for attr, obj in list(vars(mod).items()):
                targets = []
                if attr.startswith("test") and callable(obj) and not isinstance(obj, type):
                    targets.append(obj)
                elif attr.startswith("Test") and isinstance(obj, type):
                    inst = obj()
                    targets += [getattr(inst, m) for m in dir(obj) if m.startswith("test")]
                for fn in targets:
                    code = getattr(fn, "__code__", None)
                    n = code.co_argcount - (1 if hasattr(fn, "__self__") else 0) if code else 0
                    try:
                        fn(*([1] * n))
                    except Exception:
                        pass
                    called += 1
    print(called)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
