"""Hooks that put the session under the pytest engine, one adding a header line."""


def pytest_report_header(config):
    return "import_errors_hooks: header from a conftest"


def pytest_runtest_protocol(item, nextitem):
    return None
