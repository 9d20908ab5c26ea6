"""Module docstring.

>>> from pkg.mod import f
>>> f(2)
4
"""


def f(x):
    """Double.

    >>> f(3)
    6
    """
    return x * 2


def no_examples():
    """Just prose, no prompt."""


class C:
    """A class.

    >>> C().m()
    'm'
    """

    def m(self):
        """Method.

        >>> C().m()
        'm'
        """
        return "m"

    @staticmethod
    def s():
        """
        >>> C.s()
        """

    @property
    def p(self):
        """
        >>> C().p
        1
        """
        return 1

    class Inner:
        """
        >>> True
        True
        """


def _private():
    """
    >>> _private()
    """


def a_first():
    """Sorted by name, not by definition order.

    >>> a_first()
    """
