import pytest


@pytest.mark.network
@pytest.mark.slow
def test_fetch():
    pass
