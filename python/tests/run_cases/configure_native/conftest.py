"""Conftests' `pytest_configure` doing more than registering markers, called by the
native engine at its start with its `config`, in pytest's order."""

import os

import pytest

from order import ORDER


def pytest_configure(config):
    ORDER.append("root")
    os.environ["CONFIGURED_BY_CONFTEST"] = "yes"
    config.addinivalue_line("markers", "custom: registered in a non-literal way".strip())
    config.answer = 42
    config.stash[KEY] = "stashed"


KEY = pytest.StashKey[str]()


@pytest.fixture
def answer(pytestconfig):
    return pytestconfig.answer
