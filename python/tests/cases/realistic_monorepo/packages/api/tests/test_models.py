import pytest

from api import route


@pytest.mark.api
def test_route():
    assert route(1) == 2


@pytest.mark.api
@pytest.mark.slow
def test_route_db(db):
    assert db
