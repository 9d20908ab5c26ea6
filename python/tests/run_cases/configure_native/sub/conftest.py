from order import ORDER


def pytest_configure(config):
    ORDER.append("sub")
