import pytest

missing = pytest.importorskip("fastest_no_such_module_xyz")


def test_never_runs():
    pass
