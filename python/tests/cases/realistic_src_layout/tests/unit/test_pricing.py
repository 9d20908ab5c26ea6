import pytest

from shopcart.pricing import apply_discount


@pytest.mark.parametrize("percent", [0, 10, 50, 100])
@pytest.mark.parametrize("amount", [0, 99, 1000])
def test_discount_bounds(amount, percent):
    assert 0 <= apply_discount(amount, percent) <= amount


@pytest.mark.parametrize(
    "amount,percent,expected",
    [
        pytest.param(100, 25, 75, id="quarter"),
        pytest.param(3, 50, 1, id="rounds-down"),
        pytest.param(1, 200, -1, id="over-100", marks=pytest.mark.xfail(reason="no clamp")),
    ],
)
def test_discount_values(amount, percent, expected):
    assert apply_discount(amount, percent) == expected
