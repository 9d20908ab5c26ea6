import pytest


def pytest_ignore_collect(collection_path, config):
    # A directory only this conftest's import knows to leave out: pytest's collection
    # (the import fallback) applies it, and the items it finds run natively.
    if collection_path.name == "broken":
        return True
    return None


def pytest_make_parametrize_id(config, val, argname):
    if isinstance(val, int):
        return f"{argname}={val}"
    return None


@pytest.fixture
def base():
    return 10
