def test_regular():
    """A test whose docstring also has an example.

    >>> 5
    5
    """


def helper():
    """
    >>> helper()
    """
