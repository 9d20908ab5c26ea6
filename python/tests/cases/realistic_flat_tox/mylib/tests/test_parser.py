import pytest

from mylib import parse


@pytest.mark.parametrize("text,expected", [("a,b", ["a", "b"]), ("", []), (",,", [])])
def test_parse(text, expected):
    assert parse(text) == expected
