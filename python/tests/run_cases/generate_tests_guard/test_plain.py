import pytest


def test_one():
    assert True


@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    assert x < 2
