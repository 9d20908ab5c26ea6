"""Runtest hooks the native engine calls itself, in pluggy's order: a plain setup hook
skipping by mark and option, a trylast teardown hook, and a makereport hookwrapper
that keeps each phase's report on the item (read by a fixture) and rewrites one;
pytest_runtest_logstart/logfinish (outside every phase) with the item's location."""

import os

import pytest
from money import Money


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False)


def pytest_runtest_setup(item):
    print("root setup hook", item.name)
    if item.get_closest_marker("slow") and not item.config.getoption("--runslow"):
        pytest.skip("need --runslow")


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    print("root teardown hook", item.name, nextitem.name if nextitem else None)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
    if rep.when == "call" and "flip" in item.keywords and rep.failed:
        rep.outcome = "skipped"
        rep.longrepr = (str(item.path), 1, "flipped by the report hook")
    if rep.when == "call" and item.name == "test_sections":
        rep.sections.append(("extra from the hook", "one more section"))


def pytest_runtest_logstart(nodeid, location):
    os.environ["RUNTEST_LOGSTART"] = f"{nodeid} {location}"


def pytest_runtest_logfinish(nodeid, location):
    assert os.environ.pop("RUNTEST_LOGSTART") == f"{nodeid} {location}"


@pytest.fixture
def res(request):
    yield 1
    print("call outcome", request.node.rep_call.outcome, request.node.rep_setup.passed)


def pytest_assertrepr_compare(config, op, left, right):
    if isinstance(left, Money) and isinstance(right, Money) and op == "==":
        return ["Comparing Money:", f"   amounts: {left.amount} != {right.amount}"]
