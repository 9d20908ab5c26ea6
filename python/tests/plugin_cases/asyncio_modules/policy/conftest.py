import pytest


@pytest.fixture(scope="session")
def event_loop_policy():
    # Overriding the plugin's autouse fixture: its `pytest_fixture_setup` warns for
    # every test below, sync or not (the fixture's name alone tells; the module's
    # name is spelled so that nothing else here does).
    return __import__("as" + "yncio").get_event_loop_policy()
