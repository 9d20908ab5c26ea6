def pytest_report_header(start_path):
    print("printed while the header is written")
    return ["tests conftest", f"start_path {start_path.name}"]
