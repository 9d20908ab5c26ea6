def pytest_configure(config):
    """Register the suite's markers (nothing else: the native engine runs it)."""
    config.addinivalue_line("markers", "slow: takes a while")
    config.addinivalue_line(
        "markers", "db(name): needs a database"
    )
