"""pytest-aiohttp's fixtures (pytest-asyncio fixtures of a plugin module that imports
pytest_asyncio): a test server and client per test."""
import pytest
from aiohttp import web


async def hello(request):
    return web.Response(text="Hello")


def make_app():
    app = web.Application()
    app.router.add_get("/", hello)
    return app


@pytest.mark.asyncio
async def test_hello(aiohttp_client):
    client = await aiohttp_client(make_app())
    resp = await client.get("/")
    assert resp.status == 200
    assert await resp.text() == "Hello"


@pytest.mark.asyncio
async def test_missing_route(aiohttp_client):
    client = await aiohttp_client(make_app())
    status = (await client.get("/nowhere")).status
    assert status == 200


@pytest.mark.asyncio
async def test_server_then_client(aiohttp_server, aiohttp_client):
    server = await aiohttp_server(make_app())
    client = await aiohttp_client(server)
    assert (await client.get("/")).status == 200


def test_client_class(aiohttp_client_cls):
    assert aiohttp_client_cls.__name__ == "TestClient"
