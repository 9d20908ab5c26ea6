"""Initial conftests' `pytest_report_header`, asked by the native engine: their lines
above `rootdir:` in registration order (outermost first), what they print below the
platform line, nothing under `-q` or `--no-header`."""


def pytest_report_header(config):
    return f"root conftest, verbosity {config.getoption('verbose')}"
