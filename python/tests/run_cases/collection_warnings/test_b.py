import pytest


def pairs():
    yield 1, 2
    yield 3, 4


# Parameter sets from iterators: pytest 9 warns (PytestRemovedIn10Warning) while it
# collects the module, after the module's import warned about the unknown mark.
@pytest.mark.unknownish
@pytest.mark.parametrize("x,y", pairs())
def test_pairs(x, y):
    assert x + 1 == y


@pytest.mark.known
@pytest.mark.parametrize("n", map(int, "123"))
def test_digits(n):
    assert n < 3


class TestShared:
    @pytest.mark.parametrize("word", (w.upper() for w in ["a", "b"]))
    def test_word(self, word):
        assert word.isupper()
