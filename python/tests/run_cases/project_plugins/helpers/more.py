import pytest


@pytest.fixture
def extra(thing):
    return thing + 1


def check(value):
    # Rewritten as pytest rewrites a plugin's module: the failure explains itself.
    assert value == {"k": 1}
