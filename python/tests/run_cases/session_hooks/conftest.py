"""Session hooks that write nothing to the terminal: the native engine calls the initial
conftests' pytest_sessionstart at its start, and every imported conftest's
pytest_sessionfinish, then pytest_unconfigure, at its end (the log file records them,
with the exit status pytest gives the hook)."""

import os
from pathlib import Path


def _log(config, line):
    log = Path(str(config.rootpath), "session.log")
    log.write_text((log.read_text() if log.exists() else "") + line + "\n")


def pytest_sessionstart(session):
    os.environ["SESSION_STARTED"] = "root"
    _log(session.config, "root start")


def pytest_sessionfinish(session, exitstatus):
    _log(session.config, f"root finish {int(exitstatus)} failed={session.testsfailed}")


def pytest_unconfigure(config):
    _log(config, "root unconfigure")
