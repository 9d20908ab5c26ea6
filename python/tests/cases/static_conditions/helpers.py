"""A doctest module whose definitions sit under a version check."""
import sys

if sys.version_info >= (3, 0):

    def double(x):
        """
        >>> double(2)
        4
        """
        return 2 * x

else:

    def triple(x):
        """
        >>> triple(2)
        6
        """
        return 3 * x
