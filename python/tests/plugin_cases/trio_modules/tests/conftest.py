import pytest

@pytest.fixture
async def server_value():
    import trio
    await trio.sleep(0)
    yield 5
