import logging


def test_captured_again():
    logging.getLogger("after").warning("captured")
    assert logging.root.handlers


def test_fails_with_log_section():
    logging.getLogger("after").error("shown")
    assert 0
