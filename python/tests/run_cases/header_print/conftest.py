def pytest_report_header(config):
    # pytest asks for the header lines while it writes the header: what the hook
    # prints shows right below the platform line, and not at all without a header.
    print("printed by the header hook")
    return ["line from the header hook", "another line"]
