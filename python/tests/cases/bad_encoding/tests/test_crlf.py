import pytest


def test_crlf():
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_crlf_param(x):
    pass


class TestCrlf:
    def test_m(self):
        pass
