"""A runtest hook: the pytest engine runs the session."""


def pytest_runtest_protocol(item, nextitem):
    return None
