import unittest

from . import CacheMixin, FixtureBase, Helper


class CacheTest(unittest.TestCase, CacheMixin):
    size = 3


class TestPlain(CacheMixin):
    size = 1


class TestWithFixtures(FixtureBase):
    def test_own(self, base_value):
        assert base_value == 10


class HelperTest(Helper):
    def test_check(self):
        self.check()
