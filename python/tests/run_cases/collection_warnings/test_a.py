import warnings

warnings.warn("module a is deprecated", DeprecationWarning)


def test_a():
    pass
