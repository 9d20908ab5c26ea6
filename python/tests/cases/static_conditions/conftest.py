import os
import sys

# A conftest's own platform branch (only Windows runs it): no reason to import.
if sys.platform == "win32" and not any(os.environ.get(n) for n in ("LOGNAME", "USER", "USERNAME")):
    os.environ["USERNAME"] = "user"

# Flags another module's source settles: the walk reads their values there.
from pyflags import PY_3_8_PLUS, PY_3_99_PLUS as FUTURE

collect_ignore = []
if not PY_3_8_PLUS:
    collect_ignore.append("test_version.py")
if not FUTURE:
    collect_ignore.extend(["test_future_only.py"])

# The implementation decides too (cattrs' conftest).
import platform

if platform.python_implementation() == "PyPy":
    collect_ignore.append("test_implementation.py")
