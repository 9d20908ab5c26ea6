import sys

import pytest

from shop.cart import Cart


@pytest.fixture(scope="module")
def price_list(warehouse):
    return dict(warehouse["prices"])


@pytest.fixture(scope="class")
def shelf(price_list):
    # One shelf per test class: what one test stocks, the next one sees.
    stock = {name: 0 for name in price_list}
    yield stock
    stock.clear()


class TestShelf:
    def test_starts_empty(self, shelf):
        assert sum(shelf.values()) == 0

    def test_restock(self, shelf):
        shelf["apple"] += 5
        assert shelf["apple"] == 5

    def test_restock_lasts_for_the_class(self, shelf):
        assert shelf["apple"] == 5


@pytest.mark.parametrize("name", ["apple", "pear", "plum"])
def test_priced(price_list, name):
    assert price_list[name] > 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths only")
def test_posix_only(tmp_path):
    assert "\\" not in str(tmp_path)


@pytest.mark.skip(reason="stock alerts are not built yet")
def test_low_stock_alert():
    pass


@pytest.mark.xfail(raises=ValueError, reason="a line needs a positive quantity", strict=True)
def test_sell_nothing(price_list):
    Cart().add("plum", 0, price_list["plum"])
