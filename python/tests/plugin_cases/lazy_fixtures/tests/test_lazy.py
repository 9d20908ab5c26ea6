import pytest
from pytest_lazy_fixtures import lf, lfc

@pytest.mark.parametrize("v", [lf("one"), lf("two"), 3])
def test_values(v):
    assert v in (1, 2, 3)

@pytest.mark.parametrize("v,w", [(lf("one"), lf("two")), (5, 6)])
def test_pairs(v, w):
    assert w == v + 1

@pytest.mark.parametrize("v", [lfc(lambda one: one * 10, lf("one"))])
def test_callable(v):
    assert v == 10

@pytest.fixture(params=[lf("one"), lf("two")])
def indirect(request):
    return request.param

def test_indirect(indirect):
    assert indirect == 2

def test_plain(one):
    assert one == 1


@pytest.mark.parametrize("v", [lf("two")])
def test_fails(v):
    assert v == 3
