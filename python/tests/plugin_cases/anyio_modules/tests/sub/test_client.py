def test_client(client):
    assert client.startswith("client-")


def test_plain():
    pass
