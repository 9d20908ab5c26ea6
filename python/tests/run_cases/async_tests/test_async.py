import asyncio


async def helper():
    await asyncio.sleep(0)
    return 3


async def test_coroutine():
    assert await helper() == 3


class TestAsyncMethods:
    async def test_method(self):
        pass


def test_sync_runs_coroutine():
    assert asyncio.run(helper()) == 3
