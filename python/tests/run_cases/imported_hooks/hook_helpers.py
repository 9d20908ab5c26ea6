"""Hook bodies for the conftest to import."""


def pytest_collection_modifyitems(config, items):
    # Deselects the tests named "dropped".
    kept = [it for it in items if "dropped" not in it.name]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[it for it in items if it not in kept])
        items[:] = kept


def pytest_generate_tests(metafunc):
    if "n" in metafunc.fixturenames:
        metafunc.parametrize("n", [1, 2, 3])


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == "test_ignored.py":
        return True
    return None
