from helpers_tests import *  # noqa: F403


def test_own():
    assert util() == 1  # noqa: F405
