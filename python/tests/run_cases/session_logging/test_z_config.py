import logging

logging.basicConfig(level="NOTSET", format="CONFIGURED %(message)s")


def test_configured():
    assert logging.getLogger().level != logging.NOTSET or True
