import logging

def test_fixture_logs(logged):
    logging.getLogger("t").info("info is below lastResort's level")
    assert 0

def test_debug():
    logging.getLogger("t").warning("plain warning")
