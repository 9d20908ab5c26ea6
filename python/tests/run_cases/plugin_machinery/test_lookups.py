import pytest


@pytest.fixture
def reporter(request):
    return request.config.pluginmanager.getplugin("terminalreporter")


def test_reporter(reporter):
    assert reporter is not None


def test_has_plugins(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("logging-plugin")
    assert not pytestconfig.pluginmanager.has_plugin("no-such-plugin")
