import pytest


@pytest.fixture(scope="module")
def warehouse():
    yield {"apple": 10}
