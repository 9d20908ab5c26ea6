import pytest


@pytest.fixture(
    params=[pytest.param(("asyncio", {"debug": True}), id="asyncio-debug"), "trio"],
    scope="module",
)
def anyio_backend(request):
    return request.param


@pytest.mark.anyio
async def test_own_mark(anyio_backend_options):
    assert isinstance(anyio_backend_options, dict)


async def test_unmarked():
    pass


@pytest.mark.anyio
class TestMarkedClass:
    async def test_in_class(self, anyio_backend_name):
        assert anyio_backend_name != "trio"

    def test_sync_in_class(self):
        pass
