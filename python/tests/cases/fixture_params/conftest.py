import pytest


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture(params=[1, 2], ids=["one", "two"])
def number(request):
    return request.param


@pytest.fixture
def uses_backend(backend):
    """Transitively parametrized."""
    return backend


@pytest.fixture(params=[object(), None, 3.5, "s p a c e"])
def mixed(request):
    return request.param


def _idfn(value):
    return f"v{value}"


@pytest.fixture(params=[10, 20], ids=_idfn)
def callable_ids(request):
    return request.param


@pytest.fixture(scope="module", params=["mod_a", "mod_b"])
def module_resource(request):
    return request.param
