import os

from helpers_public import *  # noqa: F403


def test_build():
    assert build() == os.sep  # noqa: F405


class TestHelper(Helper):  # noqa: F405
    def test_nested_star(self):
        assert make()  # noqa: F405
