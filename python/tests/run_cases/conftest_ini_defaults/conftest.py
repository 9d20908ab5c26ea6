import os
import pytest

def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")
    parser.addini("my_key", "a key", default="dflt")
    parser.addini("my_list", "lines", type="linelist")
    parser.addini("my_flag", "a flag", type="bool", default=True)
    parser.addini("my_number", "a number", type=int, default=3)

def pytest_configure(config):
    config.addinivalue_line("markers", "slow: mark test as slow to run")
    config.addinivalue_line("markers", "env(name): mark test to run only on named environment")

def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="need --runslow option to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)

def pytest_runtest_setup(item):
    envnames = [mark.args[0] for mark in item.iter_markers(name="env")]
    if envnames:
        if os.environ.get("MYENV", "x") not in envnames:
            pytest.skip(f"test requires env in {envnames!r}")

def pytest_report_header(config):
    return "project deps: mylib-1.0.0"

@pytest.fixture(scope="session", autouse=True)
def session_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    (d / "f.txt").write_text("hi")
    return d

@pytest.fixture
def cfgval(pytestconfig):
    return (
        pytestconfig.getini("my_key"),
        pytestconfig.getini("my_list"),
        pytestconfig.getini("my_flag"),
        pytestconfig.getini("my_number"),
    )

