import not_installed_anywhere_xyz  # noqa: F401


def test_never():
    pass
