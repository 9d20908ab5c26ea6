import pytest


@pytest.fixture(params=["v1", "v2"])
def api_version(request):
    return request.param
