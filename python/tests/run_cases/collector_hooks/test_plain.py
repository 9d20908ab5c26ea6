import pytest


def test_one():
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n < 2


def check_collected_by_the_hook():
    pass


def check_failing():
    assert 1 == 2
