"""`-p no:warnings` in addopts: the ini's `error::FutureWarning` applies to nothing, a
test's warning goes to its captured stderr, an import's is never shown."""
import warnings

import helper_mod  # noqa: F401


def test_future():
    warnings.warn("future", FutureWarning)


def test_shown_when_failing():
    warnings.warn("shown in stderr", RuntimeWarning)
    assert 0
