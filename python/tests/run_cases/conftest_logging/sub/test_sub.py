import logging


def test_level_in_sub():
    assert logging.getLogger().level == logging.INFO
    logging.getLogger("z").info("from sub")
