"""Every test here is slow: `-m "not slow"` deselects them all, yet pytest imports the
module at collection, and its import warns."""

import legacy_helper  # noqa: F401
import pytest

pytestmark = pytest.mark.slow


def test_legacy_a():
    pass


def test_legacy_b():
    pass
