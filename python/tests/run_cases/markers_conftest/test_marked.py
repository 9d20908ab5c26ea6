import pytest


@pytest.mark.slow
def test_slow():
    pass


@pytest.mark.db("users")
def test_db():
    assert False, "no database here"


def test_plain():
    pass


@pytest.mark.api(2)
def test_api():
    pass
