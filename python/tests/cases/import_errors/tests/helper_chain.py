import helper_fine  # noqa: F401
