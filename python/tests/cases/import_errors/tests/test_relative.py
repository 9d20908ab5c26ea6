from .helpers import VALUE  # no __init__.py: attempted relative import


def test_relative():
    assert VALUE
