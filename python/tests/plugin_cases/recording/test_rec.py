"""pytest-recording (VCR.py): cassettes replayed for tests marked `vcr`, the network
blocked for tests marked `block_network`, a conftest implementing its own hook."""
import socket
import pytest

@pytest.mark.block_network
def test_blocked():
    with pytest.raises(Exception) as e:
        socket.create_connection(("127.0.0.1", 9))
    assert "Network is disabled" in str(e.value)

@pytest.mark.block_network
def test_blocked_fails():
    socket.create_connection(("127.0.0.1", 9))

@pytest.mark.vcr(record_mode="none")
def test_cassette(vcr):
    assert vcr is not None
    assert vcr.record_mode == "none"

def test_config(vcr_config, record_mode):
    assert vcr_config == {"filter_headers": ["authorization"]}
    assert record_mode == "none"

@pytest.mark.vcr
def test_replayed():
    import requests
    assert requests.get("http://example.invalid/hello").text == "recorded"

@pytest.mark.vcr
def test_not_in_cassette():
    import requests
    requests.get("http://example.invalid/other")
