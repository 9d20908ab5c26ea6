import pytest

from core import add

pytestmark = pytest.mark.core


def test_add():
    assert add(1, 2) == 3


def test_add_with_db(db):
    assert db
