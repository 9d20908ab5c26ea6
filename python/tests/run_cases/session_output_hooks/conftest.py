"""Session hooks that write: pytest places their output among its own report."""


def pytest_sessionfinish(session, exitstatus):
    print(f"\nprint from sessionfinish exitstatus={exitstatus}")
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    tr.write_line("terminalreporter.write_line from sessionfinish")


def pytest_unconfigure(config):
    print("print from unconfigure")
