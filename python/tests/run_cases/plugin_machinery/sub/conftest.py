import pytest


@pytest.fixture
def registered(pytestconfig):
    names = [name for name, _ in pytestconfig.pluginmanager.list_name_plugin()]
    return {name: name in names for name in ("logging-plugin", "no-such-plugin")}
