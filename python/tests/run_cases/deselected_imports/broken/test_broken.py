"""Deselected by `-m "not slow"` and `-k fast`, and failing to import: pytest reports the
collection error all the same."""

import pytest
from helper_ok import MISSING  # noqa: F401

pytestmark = pytest.mark.slow


def test_broken():
    pass
