import pytest


def _import_values():
    raise RuntimeError("only an import shows this")


VALUES = _import_values()


def test_never():
    pass
