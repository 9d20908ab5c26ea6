def pytest_report_header():
    # Not an initial conftest (found while collecting): pytest never asks it.
    print("never printed")
    return "never shown"
