"""A pytest_sessionfinish that sets the exit status (no tests collected is no failure):
the exit code is pytest's session's to give, so pytest runs the session."""


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 5:
        session.exitstatus = 0
