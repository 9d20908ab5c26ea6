import pytest

from shopcart import Cart


class TestCart:
    def test_empty_total(self, cart):
        assert cart.total() == 0

    def test_add(self, cart):
        cart.add("apple", 3)
        assert cart.lines == [("apple", 3)]

    @pytest.mark.parametrize(
        "prices,expected",
        [
            ([], 0),
            ([1], 1),
            ([1, 2, 3], 6),
            pytest.param([10**6] * 3, 3 * 10**6, id="large"),
        ],
    )
    def test_total(self, cart, prices, expected):
        for i, p in enumerate(prices):
            cart.add(f"item{i}", p)
        assert cart.total() == expected

    def test_total_in_currency(self, cart, currency):
        assert cart.total() == 0


def test_cart_is_independent():
    assert Cart().lines is not Cart().lines
