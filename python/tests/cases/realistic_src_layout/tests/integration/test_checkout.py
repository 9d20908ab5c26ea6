import pytest

pytestmark = [pytest.mark.integration]


def test_checkout(cart, warehouse):
    cart.add("apple", warehouse["apple"])
    assert cart.total() == 10


@pytest.mark.slow
def test_checkout_many(cart, currency):
    for _ in range(1000):
        cart.add("x", 1)
    assert cart.total() == 1000


class TestRefunds:
    @pytest.mark.slow
    def test_refund(self):
        pass

    def test_partial_refund(self):
        pass
