import pytest


@pytest.fixture
def client(anyio_backend_name):
    # Built on anyio's fixtures: every test using it is parametrized by backend.
    return "client-" + anyio_backend_name
