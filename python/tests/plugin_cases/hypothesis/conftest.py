"""A profile the header names, and fixtures of two scopes for the health check."""

import pytest
from hypothesis import settings

settings.register_profile("oracle", max_examples=20, database=None, derandomize=True)
settings.load_profile("oracle")


@pytest.fixture
def counter():
    return []


@pytest.fixture(scope="module")
def shared():
    return {"calls": 0}


@pytest.fixture(params=[1, 2])
def level(request):
    return request.param
