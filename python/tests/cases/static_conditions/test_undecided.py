"""Conditions only running the module decides: the import fallback collects it."""
import os
import sys

if sys.version_info < (3, 11, 2):

    def test_micro_version():
        assert True


if os.environ.get("NOT_SET_ANYWHERE"):

    def test_environment():
        assert True


def test_always():
    assert True
