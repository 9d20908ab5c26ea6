"""pytest-icdiff's and pytest-unordered's `pytest_assertrepr_compare`."""
from pytest_unordered import unordered


def test_unordered_ok():
    assert [1, 2, 3] == unordered([3, 2, 1])


def test_unordered_bad():
    assert [1, 2, 4] == unordered([3, 2, 1])


def test_dict_diff():
    assert {"a": 1, "b": [1, 2, 3]} == {"a": 2, "b": [1, 2]}
