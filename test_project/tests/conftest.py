import pytest


@pytest.fixture(scope="session")
def warehouse():
    # Built once for the whole run; the code after `yield` is its teardown.
    stock = {"prices": {"apple": 0.5, "pear": 0.75, "plum": 1.25}}
    yield stock
    stock.clear()


@pytest.fixture
def cart():
    from shop.cart import Cart

    return Cart()


@pytest.fixture(params=["eur", "usd"], ids=["EUR", "USD"])
def currency(request):
    return request.param
