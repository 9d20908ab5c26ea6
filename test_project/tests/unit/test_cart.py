import pytest

from shop.cart import Cart

PRICES = [(1, 0.5, 0.5), (3, 2.0, 6.0), (0.5, 4, 2.0)]


def test_empty_total(cart):
    assert cart.total() == 0


@pytest.mark.parametrize("qty,price,expected", PRICES)
def test_total(cart, qty, price, expected):
    cart.add("x", qty, price)
    assert cart.total() == pytest.approx(expected)


@pytest.mark.parametrize("qty", [0, -1], ids=["zero", "negative"])
def test_rejects_bad_quantity(cart, qty):
    with pytest.raises(ValueError):
        cart.add("x", qty, 1.0)


def test_priced_in(cart, currency):
    assert currency in ("eur", "usd")


class TestCartLines:
    def test_add_keeps_order(self, cart):
        cart.add("a", 1, 1)
        cart.add("b", 1, 1)
        assert [n for n, _, _ in cart.lines] == ["a", "b"]

    @pytest.mark.slow
    def test_many_lines(self, cart):
        for i in range(1000):
            cart.add(str(i), 1, 1)
        assert cart.total() == 1000

    @pytest.mark.skip(reason="discounts are not built yet")
    def test_discount(self, cart):
        pass


class TestBig(TestCartLines):
    @pytest.mark.xfail(reason="known rounding issue", strict=False)
    def test_rounding(self, cart):
        cart.add("x", 3, 0.1)
        assert cart.total() == 0.3
