import sys

# collect_ignore in a nested conftest is relative to this directory.
collect_ignore = ["test_sub_extra.py"]
# Grown at import time (as suites do for version-specific modules), by literals on the
# branch the interpreter takes: read without running the conftest.
if sys.version_info >= (3, 0):
    collect_ignore.extend(["test_sub_py3_only.py"])
if sys.version_info < (3, 0):
    collect_ignore.append("test_sub.py")
collect_ignore += ["test_sub_plus.py"]
