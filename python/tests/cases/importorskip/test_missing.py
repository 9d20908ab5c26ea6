"""A module-level importorskip of a module that does not import: pytest skips the
module (the import fallback reports it)."""
import pytest

pytest.importorskip("fastest_surely_missing_module")


def test_never():
    assert False
