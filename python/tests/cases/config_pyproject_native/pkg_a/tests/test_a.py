import pytest


@pytest.mark.integration
def test_a_integration():
    pass


def check_a():
    pass
