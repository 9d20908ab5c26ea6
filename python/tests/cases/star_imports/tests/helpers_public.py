"""No `__all__`: `import *` takes every public name, imports included."""
import os

from helpers_all import *  # noqa: F401,F403


def build():
    return os.sep


class Helper:
    pass


_private = object()
