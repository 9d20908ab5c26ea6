"""A module only an import can describe (the star import): the fallback collects it.

Walked into by --doctest-modules it is no test module (its name does not match
python_files), so its ``test_*`` function is no test; only its doctest is an item.

>>> 2 * 3
6
"""
from os.path import *  # noqa: F403


def test_not_a_test():
    """>>> test_not_a_test()"""
