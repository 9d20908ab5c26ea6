import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def pytest_report_header(config):
    return ["hooks: runslow=%s" % config.getoption("--runslow")]


def pytest_collection_modifyitems(config, items):
    skip_slow = pytest.mark.skip(reason="need --runslow option to run")
    keep, dropped = [], []
    for item in items:
        if "gone" in item.name:
            dropped.append(item)
            continue
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(skip_slow)
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_runtest_setup(item):
    if "needs_env" in item.keywords:
        pytest.skip("no environment here")


def pytest_runtest_call(item):
    print("calling", item.name)


@pytest.fixture(scope="session")
def resource():
    print("resource up")
    yield {"uses": 0}
    print("resource down")
