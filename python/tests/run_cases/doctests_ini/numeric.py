"""Flags from the ini apply to every example.

>>> 3.14159
3.14
>>> [1.0001, 2.0001]
[1.0, 2.0]
>>> b'raw'
'raw'
>>> u'text'
'text'
"""


def raises():
    """
    >>> int("x")
    Traceback (most recent call last):
    ValueError: something else
    """


def not_close():
    """
    >>> 3.3
    3.1
    """


def no_ellipsis():
    """ELLIPSIS is not in this ini's flags.

    >>> list(range(10))
    [0, 1, ..., 9]
    """
