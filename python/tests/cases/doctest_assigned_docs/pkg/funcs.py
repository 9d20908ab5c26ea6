from pkg import docs


def add():
    pass


add.__doc__ = docs.ADD


class K:
    """
    >>> 2
    2
    """
