"""Not an initial conftest unless the command line names `sub`: pytest calls its
pytest_sessionstart only then; its pytest_sessionfinish always (it is registered)."""

import os
from pathlib import Path


def pytest_sessionstart(session):
    os.environ["SUB_STARTED"] = "sub"


def pytest_sessionfinish(session):
    log = Path(str(session.config.rootpath), "session.log")
    log.write_text((log.read_text() if log.exists() else "") + "sub finish\n")
