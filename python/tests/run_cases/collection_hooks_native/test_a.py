import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_ints(base, n):
    assert base + n > 10


@pytest.mark.parametrize("word", ["a", "bb"])
def test_words(word):
    assert len(word) < 2


class TestGroup:
    def test_method(self, base):
        assert base == 10
