import pytest

from helpers_shadow import *  # noqa: F403


@pytest.mark.parametrize("f", [id])
def test_shadow(f):
    assert f(1) == 1
