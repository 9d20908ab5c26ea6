"""A test raising KeyboardInterrupt ends the session as Ctrl-C does."""

import pytest


@pytest.fixture
def resource():
    print("resource up")
    yield
    print("resource down")


@pytest.fixture(scope="module")
def shared():
    yield
    print("module fixture down")


def test_before(shared):
    pass


def test_interrupted(shared, resource):
    print("about to stop")
    raise KeyboardInterrupt


def test_never_runs():
    pass
