import sys

PY310 = sys.version_info >= (3, 10)
