from conftest import LOG


def test_a1(server):
    assert server in ("one", "two")


def test_a2(client):
    assert client.startswith("client-")


def test_plain():
    pass
