import os
import sys

# A module found only through the path this conftest adds: its hooks cannot be read
# before it runs.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "elsewhere"))
from far_plugin import *  # noqa: E402,F401,F403
