import pytest

VALUES = [n for n in range(2)]


@pytest.mark.parametrize("n", VALUES)
def test_c(n):
    assert n in VALUES
