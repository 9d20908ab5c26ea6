import pytest


def test_overridden(backend):
    pass


def test_extended(number):
    pass


@pytest.fixture(params=[True, False], autouse=True)
def auto(request):
    return request.param


def test_autouse_multiplies():
    pass
