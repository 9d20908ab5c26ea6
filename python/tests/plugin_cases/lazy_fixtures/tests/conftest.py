import pytest

@pytest.fixture
def one():
    return 1

@pytest.fixture
def two(one):
    return one + 1
