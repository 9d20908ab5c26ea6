import pytest


def test_fails():
    assert False


def test_exits_7():
    pytest.exit("with code", returncode=7)
