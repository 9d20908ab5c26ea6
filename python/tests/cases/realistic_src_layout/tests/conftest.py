import pytest

from shopcart import Cart


@pytest.fixture
def cart():
    return Cart()


@pytest.fixture(params=["EUR", "USD", "JPY"])
def currency(request):
    return request.param
