"""Bases from a helper module that bring tests: read from the helper's source."""
from base import CaseWithTests, ChainBase, WithParams


class TestParams(WithParams):
    def test_own(self):
        assert True


class TestChain(ChainBase):
    pass


class TestCaseChild(CaseWithTests):
    def test_b(self):
        self.assertTrue(True)
