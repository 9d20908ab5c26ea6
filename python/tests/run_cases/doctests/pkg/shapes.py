"""Shapes: classes, methods, properties, nested classes.

>>> Square(2).area
4
"""
import functools


class Square:
    """A square.

    >>> Square(3).side
    3
    """

    def __init__(self, side):
        self.side = side

    @property
    def area(self):
        """
        >>> Square(5).area
        25
        """
        return self.side * self.side

    def scaled(self, k):
        """
        >>> Square(2).scaled(3).side
        6
        """
        return Square(self.side * k)

    @staticmethod
    def unit():
        """
        >>> Square.unit().side
        1
        """
        return Square(1)

    @classmethod
    def of(cls, side):
        """
        >>> Square.of(4).area
        16
        """
        return cls(side)

    class Corner:
        def angle(self):
            """
            >>> Square.Corner().angle()
            90
            """
            return 90


def traced(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


@traced
def perimeter(side):
    """
    >>> perimeter(3)
    12
    """
    return 4 * side


def _private():
    """
    >>> _private()
    'private'
    """
    return "private"
