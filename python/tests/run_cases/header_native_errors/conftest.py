"""An initial conftest's `pytest_report_header` in a session a module's failing import
interrupts: the header still has its line (a worker is started only to ask it)."""


def pytest_report_header(config):
    print("asked for the header")
    return ["conftest line one", "conftest line two"]
