"""Fixtures whose parameters have a higher scope than the test: pytest groups the items
by parameter (its own order, from the import fallback's collection) and sets a fixture
up again, with what depends on it, when the parameter changes. The log file records
every setup and teardown; the last test checks it."""

import pytest

LOG = []


@pytest.fixture(scope="module")
def backend(request):
    LOG.append(f"setup backend {request.param}")
    yield request.param
    LOG.append(f"teardown backend {request.param}")


@pytest.fixture(scope="module", params=["small", "large"])
def size(request):
    LOG.append(f"setup size {request.param}")
    yield request.param
    LOG.append(f"teardown size {request.param}")


@pytest.fixture(scope="module")
def connection(backend):
    LOG.append(f"connect {backend}")
    yield f"conn-{backend}"
    LOG.append(f"disconnect {backend}")


@pytest.fixture(scope="class", params=[1, 2])
def per_class(request):
    LOG.append(f"setup per_class {request.param}")
    yield request.param
    LOG.append(f"teardown per_class {request.param}")
