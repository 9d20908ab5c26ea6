import pytest


@pytest.mark.skip(
    reason="a very long skip reason that goes on and on well past the edge of an "
    "eighty-column terminal, with well-known hyphenated words and x86-64 in it"
)
def test_long_skip():
    pass


@pytest.mark.xfail(reason="an expected failure whose reason is also far longer than the line is wide")
def test_long_xfail():
    assert 0
