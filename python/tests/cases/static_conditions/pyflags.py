"""Version flags the conftest and a test module import."""
import sys

PY_3_8_PLUS = sys.version_info[:2] >= (3, 8)
PY_3_99_PLUS = sys.version_info >= (3, 99)
