def triple(x):
    """
    >>> triple(2)
    6
    """
    return x * 3
