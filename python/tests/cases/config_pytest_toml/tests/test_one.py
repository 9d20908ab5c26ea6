import pytest


def test_alpha():
    pass


def check_beta():
    pass


@pytest.mark.smoke
def test_gamma():
    pass
