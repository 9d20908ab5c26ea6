import pytest

pytestmark = pytest.mark.anyio


async def test_module_marked():
    import sniffio

    assert sniffio.current_async_library() in ("asyncio", "trio")


async def test_fixture(async_value):
    assert async_value == 42


def test_sync():
    pass


class TestClass:
    async def test_method(self, anyio_backend_name):
        assert anyio_backend_name in ("asyncio", "trio")

    async def test_fails(self):
        assert 1 == 2
