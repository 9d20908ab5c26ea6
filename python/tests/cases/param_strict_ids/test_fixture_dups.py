import pytest


@pytest.fixture(params=[0, 0])
def twice(request):
    return request.param


def test_twice(twice):
    pass
