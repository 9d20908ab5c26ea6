import pytest


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n, resource):
    assert n < 3


def test_error_in_fixture(broken):
    pass


@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")
