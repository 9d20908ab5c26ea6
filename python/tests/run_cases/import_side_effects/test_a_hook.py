"""Importing this module changes what later modules see (dill's tests install an import
hook at import): pytest's collection imports it before test_b_victim.py."""

import builtins

builtins._FASTEST_CASE_HOOKED = True


def test_a():
    pass
