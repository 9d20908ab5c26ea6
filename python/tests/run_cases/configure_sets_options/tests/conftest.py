def pytest_addoption(parser):
    parser.addoption("--integration", action="store_true", default=False)


def pytest_configure(config):
    # poetry-core's: the conftest chooses the mark expression itself.
    config.addinivalue_line("markers", "integration: mark integration tests")
    if not config.option.integration:
        config.option.markexpr = "not integration"
