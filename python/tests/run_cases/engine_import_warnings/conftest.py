"""A runtest hook: the pytest engine runs the session."""


def pytest_runtest_logstart(nodeid, location):
    pass
