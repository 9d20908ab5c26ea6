from conftest import LOG


def test_b1(server, client):
    assert client == f"client-{server}"


def test_zz_log():
    print("\n".join(LOG))
    assert False, "show the log"
