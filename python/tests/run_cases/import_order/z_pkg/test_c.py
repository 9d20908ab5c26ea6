import sys

IMPORTED_BEFORE = sorted(m for m in ("test_a", "test_b") if m in sys.modules)


def test_c_sees_earlier_imports():
    assert IMPORTED_BEFORE == ["test_a", "test_b"]
