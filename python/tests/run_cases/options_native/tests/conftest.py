"""An initial conftest's `pytest_addoption` with no option on the command line: the
native engine's `config` serves the options' and ini keys' defaults."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--db-url", default="sqlite://", help="database")
    parser.addoption("--fast", action="store_true", help="skip slow setup")
    group = parser.getgroup("custom", "custom options")
    group.addoption("--retries", type=int, default=3, dest="retry_count")
    group.addoption("--tag", action="append", dest="tags")
    parser.addini("my_ini", "an ini key", default="x")
    parser.addini("my_list", "a list", type="linelist")
    parser.addini("my_flag", "a flag", type="bool")


@pytest.fixture
def db_url(request):
    return request.config.getoption("--db-url")
