import pytest


def test_fast():
    pass


def test_slow_network():
    pass


@pytest.mark.slow
def test_marked():
    pass


def check_alpha():
    pass
