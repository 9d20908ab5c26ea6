import pytest


def test_top():
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_top_param(x):
    pass


def test_and():
    """A test literally named like a keyword."""


def test_mark_unregistered_is_fine_without_strict():
    pass
