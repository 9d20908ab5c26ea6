"""No tests here: pytest's collection imports this module all the same, before any
test runs (what it sets up, the tests below see)."""
import os
import warnings

os.environ["FASTEST_ITEMLESS_SETUP"] = "imported"
print("importing test_00_setup")
warnings.warn(DeprecationWarning("test_00_setup is imported by collection"))


def helper():
    return 1
