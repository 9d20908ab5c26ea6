"""A session-scoped parametrized fixture used in two modules: pytest runs every item of
one parameter, across modules, before the next parameter's (its collection's order);
the fixture is set up once per parameter."""

import pytest

LOG = []


@pytest.fixture(scope="session", params=["one", "two"])
def server(request):
    LOG.append(f"start {request.param}")
    yield request.param
    LOG.append(f"stop {request.param}")


@pytest.fixture(scope="module")
def client(server):
    LOG.append(f"client of {server}")
    return f"client-{server}"
