import pytest


def pytest_collection_modifyitems(config, items):
    # Reorders and marks, deselects nothing: the whole session is collected by pytest,
    # and these hooks must still act when the items run.
    items.sort(key=lambda it: it.name, reverse=True)
    for item in items:
        if "slow" in item.name:
            item.add_marker(pytest.mark.skip(reason="slow, added by a hook"))


def pytest_runtest_setup(item):
    print(f"setting up {item.name}")
