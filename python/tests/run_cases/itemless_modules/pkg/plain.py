import warnings

warnings.warn(UserWarning("pkg.plain imported (a doctest module with no doctests)"))


def double(x):
    return x * 2
