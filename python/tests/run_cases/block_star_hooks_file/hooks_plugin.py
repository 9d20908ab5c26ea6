import pytest


def pytest_report_header(config):
    return "hooks plugin: loaded"


def pytest_runtest_setup(item):
    if "skipped" in item.name:
        pytest.skip("hooks plugin")
