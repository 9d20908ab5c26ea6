import pytest


@pytest.fixture(scope="module")
def shared():
    yield
    print("module fixture down")


def test_first(shared):
    pass


def test_exits(shared):
    pytest.exit("stop here")


def test_never_runs():
    pass
