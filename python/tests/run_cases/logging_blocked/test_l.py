"""Logging without pytest's logging plugin: no log capture (a record nothing handles
goes to logging's last resort, stderr, captured by the phase), no `caplog` fixture."""
import logging
log = logging.getLogger(__name__)

def test_logs():
    log.warning("a warning")
    print("out")
    assert 0

def test_caplog(caplog):
    log.warning("x")
    assert caplog.records

def test_ok():
    logging.getLogger().error("root error")
