import pytest


def pytest_collection_modifyitems(config, items):
    # virtualenv's shape: reading `item.location` (a cached property, stored on the
    # item) changes nothing; the marks depend on the whole list (one item selected:
    # run it, whatever it is).
    if len(items) == 1:
        return
    for item in items:
        if item.location[0].startswith("tests/integration/"):
            item.add_marker(pytest.mark.skip(reason="need --int option to run"))
