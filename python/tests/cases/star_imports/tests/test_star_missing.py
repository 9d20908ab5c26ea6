from no_such_helper import *  # noqa: F403


def test_never():
    pass
