"""Top-level `if`s on the implementation (`platform.python_implementation()`,
`sys.implementation.name`): the source decides them for a known interpreter."""
import platform
import sys

if sys.implementation.name == "cpython":

    def test_cpython():
        assert platform.python_implementation() == "CPython"

else:

    def test_other_implementation():
        assert platform.python_implementation() != "CPython"
