import pytest


@pytest.mark.parametrize("x", [pytest.param(1, id="one"), pytest.param(1, id="uno")])
def test_ids(x):
    pass
