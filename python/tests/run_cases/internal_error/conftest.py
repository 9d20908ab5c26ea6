def pytest_collection_modifyitems(items):
    # A hook that raises: pytest's INTERNALERROR inside its session.
    if items:
        raise ValueError("boom")
