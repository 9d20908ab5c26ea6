import pytest

STATE = {}


def pytest_sessionstart(session):
    STATE["started"] = True


def pytest_runtest_setup(item):
    STATE.setdefault("setups", []).append(item.name)


@pytest.fixture
def helper_value():
    return 7
