"""Flags of a six-like module: read from its source."""
from compatflags import PY2, PY3, PY34

if PY3 and PY34:

    def test_py3():
        assert True


if PY2:

    def test_py2():
        assert False
