import warnings

warnings.warn("module c says hello", UserWarning)


def test_c():
    pass
