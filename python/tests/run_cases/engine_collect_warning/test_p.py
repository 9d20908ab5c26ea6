import itertools

import pytest


class TestP:
    # An iterator as argvalues warns (PytestRemovedIn10Warning) where pytest collects
    # the class: the import fallback's collection, then the worker's, which must not
    # write it to stderr.
    @pytest.mark.parametrize("a,b", itertools.product([1, 2], [3]))
    def test_p(self, a, b):
        pass
