"""`pythonpath = .` puts the rootdir itself on `sys.path` (pathlib drops the `.`): the
modules imported through it have plain paths in `__file__`."""
import os
import sys

import helper


def test_module_file_is_plain():
    assert "/./" not in __file__, __file__


def test_helper_file_is_plain():
    assert "/./" not in helper.__file__, helper.__file__


def test_rootdir_on_sys_path():
    root = os.path.dirname(os.path.dirname(__file__))
    assert root in sys.path
