"""Module constants changed before pytest reads them: a registering decorator, item
assignment, deletion, a loop, a shuffle-like helper, an alias, a `global` rebinding."""
import pytest

HANDLERS = []


def register(f):
    HANDLERS.append(f.__name__)
    return f


@register
def load():
    pass


@register
def save():
    pass


VALUES = [1, 2, 3]
VALUES[0] = 50
del VALUES[1]

GROWN = ["x"]
for i in range(2):
    GROWN.append(str(i))


def reverse_in_place(seq):
    seq.reverse()


FLIPPED = ["a", "b", "c"]
reverse_in_place(FLIPPED)

BASE = ["p", "q"]
ALIAS = BASE
ALIAS.append("r")

NAMES = ("one", "two")


def extend_names():
    global NAMES
    NAMES = NAMES + ("three",)


extend_names()

TABLE = {"k1": 1}
TABLE["k2"] = 2

READ_ONLY = ["r1", "r2"]
print(len(READ_ONLY), READ_ONLY[0], sorted(READ_ONLY))


@pytest.mark.parametrize("name", HANDLERS)
def test_handlers(name):
    pass


@pytest.mark.parametrize("v", VALUES)
def test_values(v):
    pass


@pytest.mark.parametrize("g", GROWN)
def test_grown(g):
    pass


@pytest.mark.parametrize("f", FLIPPED)
def test_flipped(f):
    pass


@pytest.mark.parametrize("b", BASE)
def test_base(b):
    pass


@pytest.mark.parametrize("n", NAMES)
def test_names(n):
    pass


@pytest.fixture(params=list(TABLE))
def key(request):
    return request.param


def test_table(key):
    pass


@pytest.mark.parametrize("r", READ_ONLY)
def test_read_only(r):
    for x in READ_ONLY:
        assert x
