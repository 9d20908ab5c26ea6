import asyncio

import pytest


@pytest.fixture
def delay():
    return 0


async def test_sleeps(delay):
    await asyncio.sleep(delay)


async def test_fails_inside():
    await asyncio.sleep(0)
    assert 1 == 2


@pytest.mark.parametrize("n", [1, 2])
async def test_param(n):
    assert n in (1, 2)


def test_sync():
    pass
