import logging
import pytest

@pytest.fixture
def logged():
    logging.getLogger("fx").warning("from a fixture")
    yield
    logging.getLogger("fx").error("at teardown")
