"""Top-level `if`s on the interpreter's version: import runs one branch."""
import sys

import pytest

PY3 = sys.version_info[0] == 3

if sys.version_info >= (3, 8):

    def test_new_enough():
        assert True

else:

    def test_too_old():
        assert False


if sys.version_info >= (3, 99):

    def test_from_the_future():
        assert False

elif sys.version_info[:2] >= (3, 9) and not sys.version_info < (3,):

    @pytest.mark.parametrize("x", [1, 2])
    def test_elif_branch(x):
        assert x

else:

    def test_else_branch():
        assert False


if PY3:

    class TestPy3:
        def test_method(self):
            assert True


if sys.version_info.major == 2:

    def test_python2():
        assert False


class TestClassBody:
    """The same inside a class body: the class namespace gets one branch."""

    if PY3:

        def test_py3_method(self):
            assert True

    else:

        def test_py2_method(self):
            assert False

    if sys.version_info < (3, 8):

        @pytest.mark.parametrize("y", [1])
        def test_old_param(self, y):
            assert False

    elif sys.version_info >= (3, 9):

        @pytest.mark.parametrize("y", ["a", "b"])
        def test_new_param(self, y):
            assert y
