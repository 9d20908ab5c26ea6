import pytest


@pytest.mark.parametrize("x", [1, 1, "a", "a"])
def test_duplicates(x):
    pass


@pytest.mark.parametrize("x", [1, 2, 3])
def test_unique(x):
    pass
