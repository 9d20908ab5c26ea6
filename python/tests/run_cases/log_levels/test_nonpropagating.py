"""A logger that does not propagate to the root logger (configured as uvicorn configures
its access log): pytest's phase handlers are put on it too, so caplog and the
"Captured log" sections hold its records; a logger made non-propagating during a
phase is not reached until the next phase."""

import logging

quiet = logging.getLogger("noprop")
quiet.propagate = False
quiet.setLevel(logging.INFO)


def test_caplog_sees_a_nonpropagating_logger(caplog):
    quiet.info("from a logger that does not propagate")
    assert caplog.record_tuples == [("noprop", logging.INFO, "from a logger that does not propagate")]


def test_its_records_are_in_the_captured_log():
    quiet.warning("a warning that does not propagate")
    assert False


seen = []


def test_handlers_are_on_it_while_the_phase_runs(caplog):
    seen.append(caplog.handler)
    assert caplog.handler in quiet.handlers


def test_made_nonpropagating_during_the_phase(caplog):
    late = logging.getLogger("noprop.late")
    late.propagate = False
    late.warning("missed: no handler was put on it")
    assert caplog.records == []
    assert late.handlers == []


def test_a_late_logger_gets_them_from_the_next_phase(caplog):
    late = logging.getLogger("noprop.late")
    assert caplog.handler in late.handlers
    late.warning("now seen")
    assert caplog.record_tuples == [("noprop.late", logging.WARNING, "now seen")]
