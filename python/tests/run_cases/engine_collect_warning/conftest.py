# A conftest hook: the pytest engine runs the session.
def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False)
