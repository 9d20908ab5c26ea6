import pytest


def test_one():
    pass


def test_two():
    assert "ok"


@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    assert x
