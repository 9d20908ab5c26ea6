def pytest_collection_modifyitems(items):
    # A collection hook: pytest's own collection of the whole session (the import
    # fallback) tells the items, and which modules it imported without any.
    items.sort(key=lambda item: item.name)
