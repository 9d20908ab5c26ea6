import warnings

warnings.warn("sub module import", FutureWarning)


def test_s():
    pass
