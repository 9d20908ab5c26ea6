import pytest


class CheckThings:
    def test_a(self):
        pass

    @pytest.mark.slow
    def test_b(self):
        pass


class TestIgnoredName:
    def test_c(self):
        pass


def test_module_level():
    pass
