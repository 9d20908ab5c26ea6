import pytest


@pytest.fixture
def cart():
    from shop.cart import Cart

    return Cart()


@pytest.fixture(params=["eur", "usd"], ids=["EUR", "USD"])
def currency(request):
    return request.param
