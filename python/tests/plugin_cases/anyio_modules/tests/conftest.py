import pytest


@pytest.fixture
async def async_value(anyio_backend):
    yield 42
    print("async teardown", anyio_backend)
