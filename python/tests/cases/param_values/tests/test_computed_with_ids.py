"""Values the source cannot settle, where pytest's IDs do not depend on them."""
import os

import pytest

BASE = os.path.join("a", "b")


def make(n):
    return {"n": n}


@pytest.mark.parametrize("opts", [dict(type=(str, int)), list(range(2)), tuple(), set(), object()])
def test_builtin_containers(opts):
    pass


@pytest.mark.parametrize("value", [make(1), os.sep, BASE], ids=["made", "sep", "base"])
def test_ids_list(value):
    pass


@pytest.mark.parametrize(
    "value,expected",
    [
        pytest.param(make(2), 2, id="two"),
        pytest.param(os.getcwd(), None, id="cwd"),
        (3, 3),
    ],
)
def test_param_ids(value, expected):
    pass


@pytest.mark.parametrize("exc", [EOFError, KeyboardInterrupt, ValueError])
def test_builtin_classes(exc):
    pass
