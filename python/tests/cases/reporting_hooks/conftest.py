"""Hooks that write into a --collect-only listing: pytest's session places their lines."""


def pytest_report_header(config):
    return "conftest header line"


def pytest_report_collectionfinish(config, start_path, items):
    return f"conftest collectionfinish: {len(items)} items"


def pytest_terminal_summary(terminalreporter, exitstatus):
    terminalreporter.write_line(f"conftest terminal summary (exitstatus={exitstatus})")
