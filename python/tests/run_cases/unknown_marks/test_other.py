import pytest


@pytest.mark.registered
def test_other():
    pass
