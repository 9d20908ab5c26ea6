"""Bases that bring tests or an __init__: only pytest's import settles these."""
from base import WithInit, WithTests


class TestInherits(WithTests):
    def test_own(self):
        assert True


class TestWithInit(WithInit):
    def test_never_collected(self):
        assert True
