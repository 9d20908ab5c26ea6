import pytest


def pytest_collection_modifyitems(config, items):
    # A mark with a class for argument (the pytest engine runs the items), chosen by
    # the whole session's list: pytest calls the hook once, with every item.
    if len(items) < 2:
        return
    for item in items:
        if "divides" in item.name:
            item.add_marker(pytest.mark.xfail(raises=ZeroDivisionError, reason=f"{len(items)} items"))
