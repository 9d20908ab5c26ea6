import logging


def test_logs_and_fails():
    logging.getLogger("app").warning("captured by the logging plugin")
    assert 1 + 1 == 3


def test_passes():
    pass
