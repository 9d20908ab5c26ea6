"""A profile the header names, and fixtures of two scopes for the health check. Its
import warns: the native engine imports it before the header (hypothesis's plugin has
one), and the warning is the config stage's, as under pytest."""

import warnings

import pytest
from hypothesis import settings

warnings.warn("the initial conftest warns at import", UserWarning)

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
