import unittest

import pytest


class CacheMixin:
    """Test methods shared by TestCase and plain classes in other modules."""

    size = None

    def test_size(self):
        assert self.size is not None

    def test_fails(self):
        assert self.size == 99


class FixtureBase:
    @pytest.fixture
    def base_value(self):
        return 10

    def test_from_base(self, base_value, shared):
        assert base_value + shared == 13

    @pytest.mark.parametrize("n", [1, 2])
    def test_param_from_base(self, n):
        assert n < 2


class Helper(unittest.TestCase):
    def check(self):
        self.assertTrue(True)
