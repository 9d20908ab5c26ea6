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


N = 3


@pytest.mark.parametrize("i", range(N))
def test_range(i):
    pass


@pytest.mark.parametrize("i", list(range(10, 0, -3)))
def test_range_step(i):
    pass


@pytest.mark.parametrize("i", range(-2, 2))
def test_range_negative(i):
    pass


@pytest.mark.parametrize("word", "gamma alpha\tbeta\n delta".split())
def test_split(word):
    pass


@pytest.mark.parametrize("part", "a,b,,c".split(","))
def test_split_sep(part):
    pass


@pytest.mark.parametrize("word", sorted("b c a".split()))
def test_sorted_split(word):
    pass


@pytest.fixture(params=range(2))
def idx(request):
    return request.param


def test_range_fixture(idx):
    pass
