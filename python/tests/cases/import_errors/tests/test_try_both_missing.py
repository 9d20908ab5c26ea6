# Both sides missing: pytest's ImportError collection error, with the chained traceback.
try:
    import first_module_that_is_not_installed  # noqa: F401
except ImportError:
    import second_module_that_is_not_installed  # noqa: F401


def test_unreachable():
    pass
