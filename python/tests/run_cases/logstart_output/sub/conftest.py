"""A deeper conftest's logfinish: pluggy calls it before the reporter's."""


def pytest_runtest_logfinish(nodeid, location):
    print("logfinish", nodeid)
