"""Tests the two plugins of this venv have nothing to do with: no mark of theirs, no
option, so their hooks leave the items as pytest collected them."""
import pytest


class TestGroup:
    def test_one(self):
        assert True

    @pytest.mark.parametrize("n", [3, 1, 2])
    def test_param(self, n):
        assert n != 2


def test_plain():
    assert sum([1, 2]) == 3
