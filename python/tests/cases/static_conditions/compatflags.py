"""six's shape: flags from slices of `sys.version_info`, and an instance of the
module's own plain class made at import (whose name says "import")."""
import sys

PY2 = sys.version_info[0] == 2
PY3 = sys.version_info[0] == 3
PY34 = sys.version_info[0:2] >= (3, 4)


class _CompatMetaPathImporter(object):
    def __init__(self, name):
        self.name = name
        self.known_modules = {}

    def find_spec(self, fullname, path, target=None):
        raise ImportError(fullname)


_importer = _CompatMetaPathImporter(__name__)
