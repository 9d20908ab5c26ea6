"""``--json-report`` for sessions pytest runs (``-p fastest._json_report``).

fastest hands a session to pytest whole when its own engines cannot vouch for it; this
plugin then writes the same JSON Lines report fastest's coordinator writes
(``crates/fastest-report/src/json.rs``, schema documented in ``docs/json-report.md``):
a ``session_start`` line, one ``test`` line per finished test (at its teardown report,
flushed at once, so a killed run leaves a valid prefix) and a ``session_finish`` line.
The settings come from ``FASTEST_JSON_REPORT`` (a JSON object: ``path``, ``args``,
``version``, ``shard``), which fastest sets for the pytest it starts. Under
pytest-xdist only the controller writes (the workers' reports reach it).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import pytest

SCHEMA = 1
OUTCOMES = ("passed", "failed", "skipped", "xfailed", "xpassed", "error")
ENV = "FASTEST_JSON_REPORT"


def final_outcome(reports: List[Any]) -> str:
    """pytest's final outcome over a test's phase reports (``final_outcome`` in json.rs)."""
    outcome = "passed"
    for r in reports:
        xfail = hasattr(r, "wasxfail")
        if r.when == "setup" and r.outcome == "failed":
            return "error"
        if r.when == "setup" and r.outcome == "skipped":
            outcome = "xfailed" if xfail else "skipped"
        elif r.when == "call":
            if xfail and r.outcome == "skipped":
                outcome = "xfailed"
            elif xfail and r.outcome == "passed":
                outcome = "xpassed"
            else:
                outcome = r.outcome
        elif r.when == "teardown" and r.outcome == "failed" and outcome != "failed":
            outcome = "error"
    return outcome


def _crash_message(r: Any) -> Optional[str]:
    crash = getattr(getattr(r, "longrepr", None), "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    text = r.longreprtext
    lines = text.splitlines()
    return lines[-1] if lines else None


def _message(reports: List[Any], outcome: str) -> Optional[str]:
    if outcome in ("failed", "error"):
        for r in reports:
            if r.outcome == "failed":
                return _crash_message(r)
        return None
    if outcome == "skipped":
        for r in reports:
            if r.outcome == "skipped" and isinstance(r.longrepr, tuple) and len(r.longrepr) == 3:
                return str(r.longrepr[2])
        return None
    if outcome in ("xfailed", "xpassed"):
        for r in reports:
            if hasattr(r, "wasxfail"):
                return str(r.wasxfail)
    return None


def _worker(r: Any) -> Optional[str]:
    node = getattr(r, "node", None)
    gateway = getattr(node, "gateway", None)
    wid = getattr(gateway, "id", None)
    return str(wid) if wid is not None else None


def fold(reports: List[Any], shard: Optional[str]) -> Dict[str, Any]:
    """One test's line from its reports (``fold`` in json.rs)."""
    outcome = final_outcome(reports)

    def phase(when: str) -> Optional[Dict[str, Any]]:
        for r in reversed(reports):
            if r.when == when:
                return {"outcome": r.outcome, "duration": float(r.duration)}
        return None

    failed = [r for r in reports if r.outcome == "failed"]
    if failed:
        texts = [r.longreprtext for r in failed if r.longrepr is not None]
    else:
        texts = [
            r.longreprtext for r in reports if hasattr(r, "wasxfail") and r.longrepr is not None
        ]
    longrepr = "\n\n".join(t.rstrip("\n") for t in texts) if texts else None
    sections: List[Dict[str, str]] = []
    for r in reports:
        for name, content in r.sections:
            if not any(s["name"] == name for s in sections):
                sections.append({"name": name, "content": content})
    first = reports[0]
    path, lineno, domain = first.location
    worker = None
    for r in reports:
        worker = _worker(r)
        if worker is not None:
            break
    return {
        "type": "test",
        "nodeid": first.nodeid,
        "outcome": outcome,
        "location": {"path": path, "lineno": lineno, "domain": domain},
        "setup": phase("setup"),
        "call": phase("call"),
        "teardown": phase("teardown"),
        "duration": sum(float(r.duration) for r in reports),
        "longrepr": longrepr,
        "message": _message(reports, outcome),
        "sections": sections,
        "worker": worker,
        "shard": shard,
    }


class JsonReport:
    def __init__(self, config: pytest.Config, settings: Dict[str, Any]) -> None:
        self.config = config
        self.path = str(settings["path"])
        self.args = [str(a) for a in settings.get("args", [])]
        self.version = str(settings.get("version", ""))
        self.shard = settings.get("shard")
        self.open: Dict[str, List[Any]] = {}
        #: Attempts pytest-rerunfailures ended and ran again, by node id.
        self.reruns: Dict[str, int] = {}
        self.totals = {o: 0 for o in OUTCOMES}
        self.start = time.time()
        self.file: Any = None

    def _line(self, value: Dict[str, Any]) -> None:
        self.file.write(json.dumps(value) + "\n")
        self.file.flush()

    def _test(self, line: Dict[str, Any]) -> None:
        self.totals[line["outcome"]] = self.totals.get(line["outcome"], 0) + 1
        self._line(line)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.start = time.time()
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.file = open(self.path, "w", encoding="utf-8")
        try:
            workers = int(getattr(self.config.option, "numprocesses", 0) or 0)
        except (TypeError, ValueError):
            workers = 0
        started = datetime.fromtimestamp(self.start, timezone.utc).astimezone().isoformat()
        self._line(
            {
                "type": "session_start",
                "schema": SCHEMA,
                "fastest_version": self.version,
                "python_version": "%d.%d.%d" % sys.version_info[:3],
                "rootdir": str(self.config.rootpath),
                "args": self.args,
                "started": started,
                "workers": workers,
                "shard": self.shard,
                "runner": "pytest",
            }
        )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.file is None:
            return
        reports = self.open.setdefault(report.nodeid, [])
        reports.append(report)
        if report.when != "teardown":
            return
        attempt = getattr(report, "rerun", None)
        if attempt is not None and any(
            r.outcome == "rerun" and getattr(r, "rerun", None) == attempt for r in reports
        ):
            # pytest-rerunfailures runs the test again: the next attempt decides.
            reports.clear()
            self.reruns[report.nodeid] = self.reruns.get(report.nodeid, 0) + 1
            return
        self._test(self._fold(report.nodeid, self.open.pop(report.nodeid)))

    def _fold(self, nodeid: str, reports: List[Any]) -> Dict[str, Any]:
        line = fold(reports, self.shard)
        reruns = self.reruns.pop(nodeid, 0)
        if reruns:
            line["reruns"] = reruns
        return line

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.file is None:
            return
        for nodeid, reports in list(self.open.items()):
            if any(r.when != "setup" or r.outcome != "passed" for r in reports):
                self._test(self._fold(nodeid, reports))
        self.open.clear()
        self._line(
            {
                "type": "session_finish",
                "exitcode": int(exitstatus),
                "totals": dict(sorted(self.totals.items())),
                "duration": time.time() - self.start,
            }
        )
        self.file.close()
        self.file = None


def pytest_configure(config: pytest.Config) -> None:
    raw = os.environ.get(ENV)
    # pytest-xdist's workers send their reports to the controller, which writes.
    if not raw or hasattr(config, "workerinput"):
        return
    config.pluginmanager.register(JsonReport(config, json.loads(raw)), "fastest-json-report-writer")
