import pytest


@pytest.fixture(autouse=True)
def versioned(each_version):
    return each_version
