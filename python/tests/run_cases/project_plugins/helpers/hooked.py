def pytest_runtest_setup(item):
    print(f"setting up {item.name}")
