import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def ready():
    await asyncio.sleep(0)
    yield "ready"


@pytest.mark.asyncio
async def test_awaits(ready, greeting):
    await asyncio.sleep(0)
    assert (ready, greeting) == ("ready", "hello")


@pytest.mark.asyncio
async def test_async_fails():
    await asyncio.sleep(0)
    assert 1 == 2


def test_sync_here(greeting):
    assert greeting
