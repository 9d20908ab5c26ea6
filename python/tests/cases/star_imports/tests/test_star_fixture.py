from helpers_fixture import *  # noqa: F403


def test_uses_fixture(thing):
    assert thing == 42
