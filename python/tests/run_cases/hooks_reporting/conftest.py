"""A collection hook (pytest collects the session) next to reporting hooks."""


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.name)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("conftest terminal summary")


def pytest_report_teststatus(report):
    if report.when == "call" and report.passed:
        return "passed", "P", "PASSED-BY-CONFTEST"
