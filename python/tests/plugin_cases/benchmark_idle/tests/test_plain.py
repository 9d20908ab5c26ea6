"""A session the timing plugin has nothing to do in: no test here names its fixture
or mark (its word appears nowhere in this file), so its hooks act on nothing; its
header line is all there is of it."""
import pytest


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(n):
    assert n < 3


def test_output(capsys):
    print("to stdout")
    assert False, "fails on purpose"


def test_plain():
    assert sum([1, 2]) == 3
