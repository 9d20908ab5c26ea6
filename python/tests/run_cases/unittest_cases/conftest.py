import pytest


@pytest.fixture(autouse=True)
def announce(request):
    print(f"autouse before {request.node.name}")
    yield
    print(f"autouse after {request.node.name}")


@pytest.fixture
def db(request):
    request.cls.db = {"rows": 2}
    yield
    print("db closed")
