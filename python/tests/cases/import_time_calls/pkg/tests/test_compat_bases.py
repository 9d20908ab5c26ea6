import pytest

from pkg.compat import binary_type, plain_base, text_type


class WonkyText(text_type):
    pass


class TestPlain(plain_base):
    def test_one(self):
        assert True


def test_sub():
    assert WonkyText("a") == "a"
    assert isinstance(binary_type(), bytes)
