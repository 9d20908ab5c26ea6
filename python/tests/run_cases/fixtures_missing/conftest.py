import pytest


@pytest.fixture
def shared():
    return "shared"


@pytest.fixture
def _private_helper():
    return 1


def setup_module():
    pass
