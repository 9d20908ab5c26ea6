import warnings


def test_fast():
    pass


def test_fast_warns():
    warnings.warn("from a test", UserWarning)
