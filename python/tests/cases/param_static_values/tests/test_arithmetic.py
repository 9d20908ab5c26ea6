"""Arithmetic on literals, folded as Python folds it."""
import pytest

LIMIT = 2**31


@pytest.mark.parametrize(
    "value",
    [0, -15, LIMIT, LIMIT - 1, -2**3, 1 << 4, -7 // 2, -7 % 3, 7 % -3, 1 / 3, ~5, 10**20, 0x10 | 1],
)
def test_numbers(value):
    assert value is not None


@pytest.mark.parametrize("text", ["ab" * 2, b"x" + b"y", "bar " * 3])
def test_text(text):
    assert text
