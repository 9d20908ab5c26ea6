"""A deeper conftest: its hooks come before the root's (pluggy calls the last
registered first), only for the items below it; a new-style teardown wrapper that
prints outside the capture, a plain call hook that fails one test, a makereport
observer that prints (pytest's capture is off for that hook)."""

import os
import warnings

import pytest

warnings.warn("sub conftest import", UserWarning)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    print("sub tryfirst setup")
    if item.name == "test_setup_error":
        raise RuntimeError("from the setup hook")


def pytest_runtest_call(item):
    print("sub call hook")
    if "boom" in item.name:
        raise RuntimeError("from the call hook")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    print("sub wrapper before")
    try:
        return (yield)
    finally:
        print("sub wrapper after")


def pytest_runtest_makereport(item, call):
    if call.when == "call" and call.excinfo is not None:
        print("observer saw", call.excinfo.typename)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logstart(nodeid, location):
    os.environ["SUB_LOGSTART"] = f"{nodeid} {location}"


@pytest.hookimpl(trylast=True)
def pytest_runtest_logfinish(nodeid, location):
    os.environ["SUB_LOGFINISH"] = nodeid


def pytest_runtest_logreport(report):
    if report.when == "call" and report.failed:
        print("logreport saw", report.nodeid, report.longrepr.reprcrash.message if hasattr(report.longrepr, "reprcrash") else report.longrepr)
