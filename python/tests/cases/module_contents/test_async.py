import asyncio


async def test_async_function():
    await asyncio.sleep(0)


def test_sync():
    pass


class TestAsync:
    async def test_async_method(self):
        pass

    def test_sync_method(self):
        pass


async def test_async_generator():
    yield 1
