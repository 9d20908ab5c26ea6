"""The `log_level` ini: the level of pytest's per-phase handlers (the "Captured log"
section and caplog), and the root logger's level while the session runs."""

import logging

log = logging.getLogger("app")


def test_sections_show_records_at_the_level():
    log.info("an info record")
    log.debug("a debug record")
    log.warning("a warning record")
    log.warning("a record\non two lines")
    assert False


def test_root_level():
    assert logging.getLogger().level == logging.INFO


def test_caplog_records(caplog):
    log.info("seen")
    log.debug("not seen")
    assert [r.getMessage() for r in caplog.records] == ["seen"]


def test_caplog_set_level(caplog):
    caplog.set_level(logging.DEBUG)
    log.debug("debug now")
    assert [r.getMessage() for r in caplog.records] == ["debug now"]


def test_caplog_level_back(caplog):
    log.debug("not seen again")
    assert caplog.records == []


def test_changes_root_level():
    logging.getLogger().setLevel(logging.ERROR)
    log.warning("dropped")
    assert False


def test_root_level_restored():
    assert logging.getLogger().level == logging.INFO
