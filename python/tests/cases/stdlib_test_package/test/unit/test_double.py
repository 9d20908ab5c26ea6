import pytest

from test.helpers import double


@pytest.mark.parametrize("x, want", [(1, 2), (2, 4)])
def test_double(x, want):
    assert double(x) == want


class TestDouble:
    def test_zero(self):
        assert double(0) == 0
