import pytest

pytestmark = pytest.mark.api


def test_get():
    pass


def test_post():
    pass
