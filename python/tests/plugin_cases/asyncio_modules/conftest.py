import pytest


@pytest.fixture
def greeting():
    return "hello"
