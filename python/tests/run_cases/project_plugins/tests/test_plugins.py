import pytest

from helpers import fixtures
from helpers.more import check


@pytest.fixture
def shadowed():
    return "module"


def test_thing(thing, extra):
    assert (thing, extra) == (42, 43)


def test_resource(resource):
    resource["uses"] += 1
    assert resource["uses"] == 1


def test_resource_again(resource):
    resource["uses"] += 1
    assert resource["uses"] == 2


def test_flavour(flavour):
    assert flavour in "ab"


def test_overrides(overridden, shadowed):
    assert (overridden, shadowed) == ("conftest", "module")


def test_autouse_order(request):
    assert request.node.stash_order == ["plugin", "conftest"]
    assert fixtures.ORDER[-1] == "test_autouse_order"


def test_check_fails():
    check({"k": 2})
