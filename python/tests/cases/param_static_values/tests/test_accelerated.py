"""Functions of a stdlib module that star-imports its C accelerator (`operator` ends
with `from _operator import *`): the builtins replace what the source assigns
(`invert = inv` in the source, but `operator.invert.__name__ == "invert"`), so only
an import names these tests."""
import operator

import pytest


@pytest.mark.parametrize("op", [operator.neg, operator.invert, operator.inv, abs])
def test_unary(op):
    assert op(2) is not None
