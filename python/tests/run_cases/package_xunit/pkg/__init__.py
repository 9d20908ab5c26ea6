import os

CALLS = []


def setup_module(module):
    # pytest's Package.setup calls it once, with the package's module.
    CALLS.append(("setup", module.__name__))
    print("package setup", module.__name__)


def teardown_module():
    print("package teardown", CALLS)
    if os.environ.get("PKG_TEARDOWN_FAILS"):
        raise RuntimeError("teardown of the package")
