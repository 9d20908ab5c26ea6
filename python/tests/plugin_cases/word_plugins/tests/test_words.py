# The plugins' words outside their marks keep them idle: the sort order, a reorder,
# a repeated value, forked paths (pytest-order, pytest-repeat, pytest-forked act only
# on tests marked with them).
import itertools

ordered = sorted([3, 1, 2])


def test_sort_order():
    assert ordered == [1, 2, 3]


def test_repeat_from_itertools():
    assert list(itertools.repeat(7, 2)) == [7, 7]
