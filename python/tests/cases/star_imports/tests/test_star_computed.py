from helpers_computed import *  # noqa: F403


def test_one():
    assert one() == 1  # noqa: F405
