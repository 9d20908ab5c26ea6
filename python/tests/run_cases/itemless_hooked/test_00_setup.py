"""No tests here: pytest's collection imports this module all the same, before any
test runs (what it sets up, the tests below see)."""
import os

os.environ["FASTEST_ITEMLESS_SETUP"] = "imported"


def helper():
    return 1
