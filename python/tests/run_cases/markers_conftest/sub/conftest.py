def pytest_configure(config):
    config.addinivalue_line("markers", "network: talks to the network")
