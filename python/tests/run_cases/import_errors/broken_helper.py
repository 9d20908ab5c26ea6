"""Not a test module: raises when imported; its doctest is collected with --doctest-modules."""


def double(x):
    """
    >>> double(2)
    4
    """
    return 2 * x


VALUE = {"a": 1}["b"]
