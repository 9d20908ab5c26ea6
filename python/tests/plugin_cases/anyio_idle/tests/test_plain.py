import socket

import pytest


def test_port(free_tcp_port, doubled):
    assert doubled == 2 * free_tcp_port
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_tcp_port))


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n < 2


async def test_coroutine():
    # No plugin runs it: pytest's own "async def functions are not natively supported".
    pass
