"""Plugins fastest does not know that its workers' pytest engine runs as they are
(issue 5): real plugins, installed from the package index, whose hooks act only inside
a worker's pytest (the runtest protocol, assertion explanations, the session's start
and end, a plain `pytest_load_initial_conftests`) — pytest-socket, pytest-icdiff,
pytest-unordered, pytest-check, pytest-httpserver, pytest-responses, pytest-dotenv,
pytest-vcr, pyfakefs, pytest-metadata, pytest-base-url (`parse::worker_plugin`,
`invocation::worker_plugins`). fastest must serve such a session itself (discovery,
scheduling, `-n`, reporting), not hand it to pytest, and give pytest's outcomes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Sequence

import pytest

from oracle_harness import clean_plugin_output, plugin_case_both

CASE = Path(__file__).resolve().parent / "plugin_cases" / "worker_plugins"

_OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)", re.M)
_FINAL = re.compile(r"^=* ?(.*?) in \d+\.\d\ds ?=*$", re.M)


def _both(tmp_path: Path, venv_pytest: List[str], args: Sequence[str]):
    """pytest's run, then fastest's (never handing the session to pytest)."""
    return plugin_case_both(CASE, tmp_path, venv_pytest, args)


@pytest.mark.parametrize(
    "args", [("-q",), (), ("-q", "--strict-markers")], ids=["q", "default", "strict"]
)
def test_serial_runs_print_what_pytest_prints(
    tmp_path: Path, worker_plugins_pytest: List[str], args
):
    expected, actual = _both(tmp_path, worker_plugins_pytest, args)
    assert "6 failed, 11 passed" in expected.stdout, expected.stdout
    assert actual.returncode == expected.returncode == 1
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def test_distributed_runs_match_pytest_xdist(tmp_path: Path, worker_plugins_pytest: List[str]):
    expected, actual = _both(tmp_path, worker_plugins_pytest, ("-n", "2", "-rA"))
    assert actual.returncode == expected.returncode == 1
    assert set(_OUTCOME.findall(actual.stdout)) == set(_OUTCOME.findall(expected.stdout))
    assert len(_OUTCOME.findall(actual.stdout)) == 17, actual.stdout
    assert _FINAL.findall(actual.stdout)[-1] == _FINAL.findall(expected.stdout)[-1]


def test_collection_stays_fastests(tmp_path: Path, worker_plugins_pytest: List[str]):
    expected, actual = _both(tmp_path, worker_plugins_pytest, ("--collect-only", "-q"))
    assert actual.returncode == expected.returncode == 0
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout)


@pytest.mark.parametrize("args", [("-v",), (), ("--collect-only",)], ids=["v", "default", "collect"])
def test_header_lines_of_worker_plugins(tmp_path: Path, worker_plugins_pytest: List[str], args):
    """pytest-metadata's header line (under `-v`) and pytest-base-url's (with a base URL
    set) come from the workers' pytest, which asks every `pytest_report_header`; their
    fixtures are its too. A `--collect-only` listing with a header is pytest's."""
    def edit(root: Path) -> None:
        (root / "pytest.ini").write_text("[pytest]\nbase_url = http://example.invalid\n")
        (root / "test_header.py").write_text(
            "def test_fixtures(metadata, base_url):\n"
            "    assert base_url == 'http://example.invalid'\n"
            "    assert 'Python' in metadata\n"
        )

    if "--collect-only" in args:
        from oracle_harness import fastest_in, fresh_case, run_in

        root = fresh_case(CASE, tmp_path)
        edit(root)
        cmd, env = fastest_in(worker_plugins_pytest)
        actual = run_in(cmd, root, ["-p", "no:cacheprovider", *args, "test_header.py"], env)
        assert "adds lines to the header" in actual.stderr, actual.stderr
        assert "baseurl: http://example.invalid" in actual.stdout, actual.stdout
        return
    expected, actual = plugin_case_both(
        CASE, tmp_path, worker_plugins_pytest, (*args, "test_header.py"), edit
    )
    assert "baseurl: http://example.invalid" in expected.stdout, expected.stdout
    assert ("metadata: {" in expected.stdout) == ("-v" in args), expected.stdout
    assert actual.returncode == expected.returncode == 0
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )


def test_verbose_run_names_the_plugin(tmp_path: Path, worker_plugins_pytest: List[str]):
    _, actual = _both(tmp_path, worker_plugins_pytest, ("-v", "test_socket.py"))
    assert re.search(r"^fastest: the pytest engine runs the items \(installed pytest plugin "
                     r"[\w-]+\)$", actual.stdout, re.M), actual.stdout



@pytest.mark.parametrize(
    "where,options",
    [
        ("cli", "--disable-socket --allow-unix-socket"),
        ("addopts", "--disable-socket --allow-unix-socket"),
        # An option with a value before a path.
        ("cli", "--allow-hosts 127.0.0.1"),
    ],
    ids=["cli", "addopts", "value"],
)
def test_plugin_options_keep_fastests_collection(
    tmp_path: Path, worker_plugins_pytest: List[str], where: str, options: str
):
    """pytest-socket's options, read off its `pytest_addoption`, are no paths to
    fastest: it collects the session itself, and the workers' pytest reads them (the
    unmarked socket test fails under `--disable-socket`)."""

    def edit(root: Path) -> None:
        if where == "addopts":
            (root / "pytest.ini").write_text(f"[pytest]\naddopts = {options}\n")

    args = [*(options.split() if where == "cli" else []), "-rA", "test_socket.py"]
    expected, actual = plugin_case_both(
        CASE, tmp_path, worker_plugins_pytest, args, edit=edit,
        fastest_env={"FASTEST_LOG": "fastest_cli=debug"},
    )
    disabled = "FAILED test_socket.py::test_allowed" in expected.stdout
    assert disabled == ("--disable-socket" in options), expected.stdout
    assert actual.returncode == expected.returncode == 1
    assert clean_plugin_output(actual.stdout) == clean_plugin_output(expected.stdout), (
        f"\n--- pytest\n{expected.stdout}\n--- fastest\n{actual.stdout}"
    )
    assert "pytest collects the whole session" not in actual.stderr, actual.stderr
