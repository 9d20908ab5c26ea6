"""A computed value without an explicit ID: only an import tells its ID."""
import os

import pytest


@pytest.mark.parametrize("value", [os.sep, "x"], ids=[None, "x"])
def test_partly_named(value):
    pass


@pytest.mark.parametrize("value", [os.sep])
def test_unnamed(value):
    pass
