"""A direct parameter given a higher scope is a fixture of that scope in pytest: a
module-scoped fixture requesting it is set up again when it changes (the pytest
engine runs these items). One no fixture requests runs natively."""

import pytest


@pytest.fixture(scope="module")
def conn(x):
    print("conn", x)
    yield x
    print("close", x)


@pytest.mark.parametrize("x", [1, 2], scope="module")
def test_a(conn, x):
    assert conn == x


@pytest.mark.parametrize("x", [1, 2], scope="module")
def test_b(conn):
    print("b", conn)
