import logging

import pytest


@pytest.fixture(autouse=True)
def no_log_capture(pytestconfig):
    # Take pytest's logging plugin away (its handlers off the root logger) while the
    # test runs, and put it back after (flask's logging tests do this).
    logging.root.handlers = []
    plugin = pytestconfig.pluginmanager.unregister(name="logging-plugin")
    logging.getLogger("setup").warning("setup, captured")
    yield
    logging.getLogger("teardown").warning("teardown, not captured")
    if plugin:
        pytestconfig.pluginmanager.register(plugin, "logging-plugin")


def test_root_has_no_handler():
    logging.getLogger("call").warning("call, not captured")
    assert logging.root.handlers == []
    assert not logging.getLogger("x").hasHandlers()


def test_fails_without_log_section():
    logging.getLogger("call").error("not captured either")
    assert 0
