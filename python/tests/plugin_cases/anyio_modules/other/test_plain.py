import pytest


@pytest.fixture(scope="module")
def shared():
    return []


@pytest.mark.parametrize("n", [1, 2, 3])
def test_param(shared, n):
    shared.append(n)
    assert n != 3


def test_port(free_tcp_port):
    assert free_tcp_port > 0
