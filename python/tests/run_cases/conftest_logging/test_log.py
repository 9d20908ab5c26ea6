import logging


def test_level_from_the_conftest():
    assert logging.getLogger().level == logging.INFO


def test_record_through_the_conftests_handler():
    logging.getLogger("x").info("hello")


def test_fails_with_the_record():
    logging.getLogger("y").warning("before failing")
    assert False
