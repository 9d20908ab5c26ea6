import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def catalog():
    return {"apple": 0.5, "pear": 0.75}


@pytest.mark.parametrize("item", ["apple", "pear"])
def test_checkout(cart, catalog, item):
    cart.add(item, 2, catalog[item])
    assert cart.total() == 2 * catalog[item]


async def test_async_checkout():
    pass


def test_fails_on_purpose_is_not_here():
    assert True
