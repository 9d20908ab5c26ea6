"""Instances of plain local classes: named by argname and index."""
import pytest


class Plain:
    pass


class Child(Plain):
    flag = True


class Problem(Exception):
    pass


def factory():
    return None


@pytest.mark.parametrize("value", [Plain, Plain(), Child(), Problem("boom"), object(), factory])
def test_values(value):
    assert value is not None or value is None
