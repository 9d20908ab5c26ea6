import pytest


def test_b1():
    print("b1")


def test_boom():
    pass


def test_b_fail():
    raise ValueError("v")


def test_setup_error():
    pass


@pytest.mark.slow
def test_b_slow():
    pass
