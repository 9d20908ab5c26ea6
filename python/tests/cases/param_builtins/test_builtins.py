"""Parameters from builtins over literals: sorted(), list(), tuple(), dict keys."""
import pytest

CASES = {"beta": 1, "alpha": 2, "gamma": 3, "beta": 4}
NUMS = {3, 1, 2, 0x10, -5}
WORDS = ("b", "a", "c", "Z", "é")


@pytest.mark.parametrize("key", sorted(CASES))
def test_sorted_keys(key):
    assert key in CASES


@pytest.mark.parametrize("key", list(CASES))
def test_listed_keys(key):
    pass


@pytest.mark.parametrize("key", CASES.keys())
def test_keys_view(key):
    pass


@pytest.mark.parametrize("n", sorted(NUMS))
def test_sorted_set(n):
    pass


@pytest.mark.parametrize("n", list(NUMS))
def test_listed_set(n):
    pass


@pytest.mark.parametrize("w", tuple(WORDS))
def test_tuple_words(w):
    pass


@pytest.mark.parametrize("w", sorted(WORDS))
def test_sorted_words(w):
    pass


@pytest.mark.parametrize("w", sorted(sorted(CASES.keys())))
def test_nested(w):
    pass


@pytest.fixture(params=sorted(CASES))
def case(request):
    return CASES[request.param]


def test_fixture(case):
    assert case
