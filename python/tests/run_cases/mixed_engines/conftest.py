"""Fixtures every module sees; none outlives a module, so the engines may split."""

import os

import pytest

#: What ran, in order: modules' set-up and tear-down, seen by the tests at the end.
EVENTS = []


@pytest.fixture
def base():
    return 40


@pytest.fixture(scope="module", autouse=True)
def module_events(request):
    EVENTS.append(("setup", request.module.__name__.rsplit(".", 1)[-1]))
    yield
    EVENTS.append(("teardown", request.module.__name__.rsplit(".", 1)[-1]))


@pytest.fixture
def hooked_env():
    return os.environ.get("HOOKED")


@pytest.fixture
def events():
    return EVENTS
