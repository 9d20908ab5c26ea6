import pytest


@pytest.fixture
def doubled(free_tcp_port):
    return free_tcp_port * 2
