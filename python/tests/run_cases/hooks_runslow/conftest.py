"""The pattern of pytest's documentation (``--runslow``) and more of what
``pytest_collection_modifyitems`` does: the import fallback's pytest runs the hooks,
the native engine runs the items with the marks they added, in their order, with the
options' values."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")
    parser.addoption("--level", default="3", help="how deep")
    parser.addoption("--pair", default=("a", 1), help="a tuple default")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: mark test as slow to run")
    config.addinivalue_line("markers", "tagged: added by the hook")


def pytest_collection_modifyitems(config, items):
    skip_slow = pytest.mark.skip(reason="need --runslow option to run")
    kept = []
    for item in items:
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(skip_slow)
        if "first" in item.name:
            item.add_marker(pytest.mark.tagged(("a", 1), key={"k": [1.5, None]}), append=False)
        if "xfails" in item.name:
            item.add_marker(pytest.mark.xfail(reason="added", strict=True))
        if "dropped" in item.name:
            config.hook.pytest_deselected(items=[item])
            continue
        kept.append(item)
    kept.sort(key=lambda i: "last" in i.name)
    items[:] = kept
