"""A pytest_runtest_logstart that prints: pytest writes it beside its reporter's own
logstart output (the file name, the verbose line), which only pytest's session can
place: fastest hands the session to pytest."""


def pytest_runtest_logstart(nodeid, location):
    print("logstart", nodeid, location)
