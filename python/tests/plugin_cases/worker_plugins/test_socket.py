"""pytest-socket: its `pytest_runtest_setup` blocks sockets for marked tests."""
import socket

import pytest


@pytest.mark.disable_socket
def test_blocked():
    with pytest.raises(Exception):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_allowed():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.close()


@pytest.mark.disable_socket
def test_blocked_fails():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
