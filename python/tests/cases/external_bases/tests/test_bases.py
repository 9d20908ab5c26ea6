from base import BaseCase, Helper
from pkg import ext as wpext


class Concrete(wpext.Extension):
    def offer(self):
        return "concrete"


class TestHelper(Helper):
    def test_make(self):
        assert self.make() == "hello"

    def test_concrete(self):
        assert Concrete().offer() == "concrete"


class MyCase(BaseCase):
    def test_ready(self):
        self.assertTrue(self.ready)

    def test_also_ready(self):
        self.assertTrue(self.ready)
