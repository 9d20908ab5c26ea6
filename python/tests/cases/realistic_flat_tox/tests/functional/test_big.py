import pytest

from mylib import parse


@pytest.mark.slow
def test_big(big_input):
    assert len(parse(big_input)) == 1000


def test_small():
    assert parse("x") == ["x"]


class TestRoundTrip:
    @pytest.mark.parametrize("n", [1, 10, 100])
    def test_roundtrip(self, n):
        s = ",".join("x" * n)
        assert ",".join(parse(s)) == s
