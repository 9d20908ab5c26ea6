"""pytest taking over a session whose header fastest has already written
(``-p fastest._continued``): a test module failed to import in fastest's first attempt
(after the header was out), and the second attempt found the session is pytest's to
run. pytest then writes everything but the header block: no ``test session starts``
line, no platform, rootdir or plugin lines (``--no-header``), none of the
``pytest_report_header`` lines.
"""

from __future__ import annotations

from typing import Any

import pytest

_HEADER_TITLE = "test session starts"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: Any) -> None:
    config.option.no_header = True
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    write_sep = reporter.write_sep
    skipped = []

    def write_sep_after_header(sep: str, title: str | None = None, **markup: Any) -> None:
        # The reporter's `pytest_sessionstart` writes the title once; later separators
        # (ERRORS, FAILURES, the summary) are written as usual.
        if title == _HEADER_TITLE and not skipped:
            skipped.append(title)
            return
        write_sep(sep, title, **markup)

    reporter.write_sep = write_sep_after_header
