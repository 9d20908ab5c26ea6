"""pytest's logging plugin keeps handlers on the root logger for the whole session: a
test module's `logging.basicConfig` at import does nothing, and a record logged outside
any test reaches no last resort on stderr."""

import logging

logging.getLogger("at.import").warning("logged while the module is imported")


def test_logs_and_fails():
    logging.getLogger("some.lib").debug("debug record")
    logging.getLogger("some.lib").warning("warning record")
    assert False


def test_root_has_handlers():
    assert logging.getLogger().handlers
