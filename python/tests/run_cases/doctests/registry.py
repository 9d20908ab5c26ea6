"""Functions stored on classes defined before them: doctest's finder walks the module's
namespace in order and names each object where it meets it first (the class)."""


class Methods:
    """A namespace filled at import."""


def register(func):
    setattr(Methods, func.__name__, func)
    return func


@register
def double(x):
    """
    >>> double(2)
    4
    """
    return 2 * x


def triple(x):
    """
    >>> triple(2)
    6
    """
    return 3 * x


def alone(x):
    """Stays where it is defined.

    >>> alone(1)
    1
    """
    return x


Methods.triple = triple
