import pytest

from helpers_all import *  # noqa: F403


class TestDerived(Base):  # noqa: F405
    def test_make(self):
        assert make() == [1, 2, 3]  # noqa: F405

    @pytest.mark.parametrize("n", [1, 2])
    def test_limit(self, n):
        assert n < LIMIT  # noqa: F405


@pytest.mark.parametrize("fn", [make, Base])  # noqa: F405
def test_named_by_star(fn):
    assert fn
