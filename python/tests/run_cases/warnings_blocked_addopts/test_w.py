"""Warnings of every kind without pytest's warnings plugin: none recorded, none summarised;
what a test warns goes to its captured stderr by Python's own filters (shown once per
place), `filterwarnings` marks and ini lines and `-W` apply to nothing, and what imports
warn is never shown."""
import warnings
import pytest
import helper_mod

warnings.warn("module level", UserWarning)

def test_user():
    warnings.warn("in test", UserWarning)

def test_user_again():
    warnings.warn("in test", UserWarning)

def test_future():
    warnings.warn("future", FutureWarning)

def test_dep():
    warnings.warn("dep", DeprecationWarning)

@pytest.mark.filterwarnings("error")
def test_marked():
    warnings.warn("marked", UserWarning)
    assert 0

def test_fail_with_warning():
    warnings.warn("shown in stderr", RuntimeWarning)
    assert 0

def test_recwarn(recwarn):
    warnings.warn("recorded", UserWarning)
    assert len(recwarn) == 1

def test_warns():
    with pytest.warns(UserWarning):
        warnings.warn("x", UserWarning)

class NotATest:  # (no `Test` prefix: pytest would warn of its __init__ as it collects)
    def __init__(self):
        pass
    def test_x(self):
        pass
