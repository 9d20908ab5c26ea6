"""Item hooks: pytest calls them for the items below this directory only, which the
pytest engine runs; the session fixture here is used by those items only."""

import os

import pytest

SESSION_SETUPS = []


def pytest_runtest_protocol(item, nextitem):
    # Not one the native engine calls: the modules below run in the pytest engine.
    os.environ["HOOKED_LAST"] = item.nodeid


def pytest_runtest_setup(item):
    os.environ["HOOKED"] = item.name


def pytest_runtest_teardown(item, nextitem):
    os.environ.pop("HOOKED", None)


def pytest_runtest_makereport(item, call):
    if call.when == "call" and "slow" in item.keywords:
        item.add_report_section("call", "hooked", "a slow one")


@pytest.fixture(scope="session")
def hooked_session():
    SESSION_SETUPS.append(1)
    yield len(SESSION_SETUPS)
    SESSION_SETUPS.append("done")
