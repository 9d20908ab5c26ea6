import pytest


@pytest.mark.parametrize("s", ["café"])
def test_latin1_string(s):
    pass
