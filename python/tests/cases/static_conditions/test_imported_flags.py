"""Top-level `if`s on flags imported from another module: read from its source."""
from pyflags import PY_3_8_PLUS, PY_3_99_PLUS

if PY_3_8_PLUS:

    def test_recent():
        assert True


if PY_3_99_PLUS:

    def test_future():
        assert False

else:

    def test_not_yet():
        assert True
