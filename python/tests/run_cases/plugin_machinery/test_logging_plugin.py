"""A fixture takes pytest's logging plugin out while each test runs (as flask's logging
tests do): records then reach stderr through logging's last resort, not a "Captured log"
section."""

import logging

import pytest


@pytest.fixture(autouse=True)
def without_logging_plugin(pytestconfig):
    plugin = pytestconfig.pluginmanager.unregister(name="logging-plugin")
    yield
    if plugin is not None:
        pytestconfig.pluginmanager.register(plugin, "logging-plugin")


def test_logs_and_fails():
    logging.getLogger("app").warning("disk almost full")
    assert 1 + 1 == 3


def test_node_hooks(request):
    assert request.node.ihook.pytest_runtest_setup is not None
    assert request.config.hook.pytest_report_header is not None
