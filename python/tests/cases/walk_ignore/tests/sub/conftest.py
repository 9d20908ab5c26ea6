# collect_ignore in a nested conftest is relative to this directory.
collect_ignore = ["test_sub_extra.py"]
