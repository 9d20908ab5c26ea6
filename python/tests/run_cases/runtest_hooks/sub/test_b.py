import os

import pytest


def test_b1():
    print("b1", os.environ["SUB_LOGSTART"], os.environ.get("SUB_LOGFINISH"))


def test_boom():
    pass


def test_b_fail():
    raise ValueError("v")


def test_setup_error():
    pass


@pytest.mark.slow
def test_b_slow():
    pass
