import os
X = os.environ["NOPE_NOT_SET"]
def h():
    """
    >>> 3
    3
    """
