import helper_broken  # noqa: F401


def test_never_collected():
    pass
