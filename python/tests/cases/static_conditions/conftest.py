import os
import sys

# A conftest's own platform branch (only Windows runs it): no reason to import.
if sys.platform == "win32" and not any(os.environ.get(n) for n in ("LOGNAME", "USER", "USERNAME")):
    os.environ["USERNAME"] = "user"
