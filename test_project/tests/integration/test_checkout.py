import asyncio

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog():
    return {"apple": 0.5, "pear": 0.75}


@pytest.mark.parametrize("item", ["apple", "pear"])
def test_checkout(cart, catalog, item):
    cart.add(item, 2, catalog[item])
    assert cart.total() == 2 * catalog[item]


def test_async_checkout(cart):
    async def pay():
        await asyncio.sleep(0)
        return cart.total()

    cart.add("apple", 1, 0.5)
    assert asyncio.run(pay()) == 0.5


def test_fails_on_purpose_is_not_here():
    assert True
