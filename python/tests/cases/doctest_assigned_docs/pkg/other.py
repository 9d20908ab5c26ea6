def plain():
    pass


def documented():
    """
    >>> 3
    3
    """
