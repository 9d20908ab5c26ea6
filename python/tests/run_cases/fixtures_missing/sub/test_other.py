import pytest


@pytest.fixture
def only_here():
    return 2


def test_missing_elsewhere(only_here, missing_in_sub):
    pass
