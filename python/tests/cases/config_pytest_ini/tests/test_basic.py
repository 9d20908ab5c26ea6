import pytest


def test_one():
    pass


@pytest.mark.slow
def test_two():
    pass
