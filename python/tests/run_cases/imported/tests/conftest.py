import pytest


@pytest.fixture
def shared():
    return 3


@pytest.fixture(params=[x * 10 for x in range(2)])
def computed_fixture(request):
    return request.param
