import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def value():
    await asyncio.sleep(0)
    return 41


@pytest.mark.asyncio
async def test_awaits(value):
    await asyncio.sleep(0)
    assert value + 1 == 42


@pytest.mark.asyncio
async def test_async_fails():
    await asyncio.sleep(0)
    assert [1, 2] == [1, 2, 3]


async def test_unmarked():
    # Strict mode: pytest skips it with a warning; auto mode runs it.
    assert True
