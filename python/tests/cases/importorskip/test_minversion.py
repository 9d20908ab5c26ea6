"""A minimum version: only an import reads the module's version."""
import pytest

pytest.importorskip("json", minversion="0.1")


def test_versioned():
    assert True
