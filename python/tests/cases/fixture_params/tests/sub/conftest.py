import pytest


@pytest.fixture(params=["override_x", "override_y"])
def backend(request):
    """Overrides the root conftest's backend for this directory."""
    return request.param


@pytest.fixture(params=[1, 2])
def number(request, number):
    """Overrides and extends the parent fixture of the same name."""
    return number
