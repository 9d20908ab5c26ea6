import pytest


@pytest.fixture(scope="session", params=["memory", "disk"])
def backend(request):
    print(f"open {request.param}")
    yield request.param
    print(f"close {request.param}")
