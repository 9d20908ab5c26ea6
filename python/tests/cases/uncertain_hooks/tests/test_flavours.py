import pytest


def test_flavour(flavour):
    pass


@pytest.mark.parametrize("custom", [1, "two"])
def test_custom_id(custom):
    pass


def test_plain_deselected():
    pass
