import pytest

pytestmark = pytest.mark.slow


def test_select():
    pass


@pytest.mark.parametrize("n", [1, 2, 3], ids=["one", "two", "three"])
def test_insert(n):
    pass


@pytest.mark.skip(reason="not yet")
def test_skipped():
    pass


@pytest.mark.xfail
def test_xfail():
    pass


def test_CamelCase_Name():
    pass
