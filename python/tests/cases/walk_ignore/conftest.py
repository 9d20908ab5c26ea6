collect_ignore = ["tests/test_ignored_by_conftest.py", "setup.py"]
collect_ignore_glob = ["*_generated.py", "tests/gen_*"]
