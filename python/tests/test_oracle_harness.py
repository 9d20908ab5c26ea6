"""Self-tests of the oracle harness (no fastest needed): what is normalised,
what counts as a difference, how cases are copied."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from oracle_harness import (
    Result,
    Run,
    Spec,
    _scripts_dirs,
    child_env,
    compare,
    find_pytest,
    make_specs,
    materialise,
    normalise,
    run_tool,
)


def _spec(tmp_path: Path, **kw) -> Spec:
    return Spec("demo-argset0-q", "demo", lambda: tmp_path, Run(**kw), "q")


def _result(out="", err="", rc=0) -> Result:
    return Result(["tool"], Path("."), rc, out, err)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3 tests collected in 0.02s\n", "3 tests collected in <DURATION>\n"),
        # Lines exactly as pytest 9.2 printed them at 80 columns.
        (
            "========================== 1 test collected in 0.01s ===========================\n",
            "= 1 test collected in <DURATION> =\n",
        ),
        (
            "========================= 17 tests collected in 0.02s ==========================\n",
            "= 17 tests collected in <DURATION> =\n",
        ),
        (
            "========================= 17 tests collected in 10.02s =========================\n",
            "= 17 tests collected in <DURATION> =\n",
        ),
        # A fill pytest would not print is kept, so it shows up in the diff.
        ("===== 3 tests collected in 12.34s =====\n", "===== 3 tests collected in <DURATION> =====\n"),
        ("no tests ran in 103.68s (0:01:43)\n", "no tests ran in <DURATION>\n"),
        ("2/5 tests collected (3 deselected) in 0.00s\n", "2/5 tests collected (3 deselected) in <DURATION>\n"),
        # Only the run time at the end of a line is a duration.
        ("test_x.py::test_in_0.02s[in 0.02s]\n", "test_x.py::test_in_0.02s[in 0.02s]\n"),
        ("collected in 0.02s extra\n", "collected in 0.02s extra\n"),
    ],
)
def test_normalise_only_touches_the_final_duration(text, expected):
    assert normalise(text) == expected


def test_compare_accepts_different_durations(tmp_path):
    compare(_spec(tmp_path), _result("1 test collected in 0.01s\n"), _result("1 test collected in 0.93s\n"))


@pytest.mark.parametrize(
    "actual,needle",
    [
        (_result("a\nc\n"), "+c"),
        (_result("a\nb\n", err="warning\n"), "+warning"),
        (_result("a\nb\n", rc=5), "exit code: pytest 0, fastest 5"),
        (_result("a\nb"), "No newline at end of file"),
    ],
)
def test_compare_reports_every_difference(tmp_path, actual, needle):
    with pytest.raises(pytest.fail.Exception) as exc:
        compare(_spec(tmp_path), _result("a\nb\n"), actual)
    message = str(exc.value)
    assert needle in message
    assert "reproduce: cd" in message


def test_child_env_scrubs_outer_pytest_settings(monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("CI", "true")
    env = child_env({"PYTEST_ADDOPTS": "-k beta"})
    assert env["PYTEST_ADDOPTS"] == "-k beta"
    assert "PYTEST_DISABLE_PLUGIN_AUTOLOAD" not in env
    assert "CI" not in env
    assert env["COLUMNS"] == "80"


def test_materialise_makes_a_fresh_copy_and_runs_setup(tmp_path):
    src = tmp_path / "src"
    (src / "tests").mkdir(parents=True)
    (src / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    calls = []
    spec = Spec("x-argset0-q", "x", lambda: src, Run(), "q", setup=calls.append)
    dest = tmp_path / "work" / "x"
    materialise(spec, dest)
    (dest / "stale.txt").write_text("left over")
    materialise(spec, dest)
    assert not (dest / "stale.txt").exists()
    assert (dest / "tests" / "test_a.py").exists()
    assert calls == [dest, dest]


def test_make_specs_ids():
    params = make_specs("case", lambda: Path("."), [[], ["-k", "x"]])
    assert [p.id for p in params] == [
        "case-argset0-q",
        "case-argset0-qq",
        "case-argset0-tree",
        "case-argset1-q",
        "case-argset1-qq",
        "case-argset1-tree",
    ]


def test_run_tool_uses_cwd_env_and_form(tmp_path):
    (tmp_path / "sub").mkdir()
    script = tmp_path / "echo_args.py"
    script.write_text(
        "import os, sys\n"
        "print(os.getcwd()); print(sys.argv[1:]); print(os.environ.get('ORACLE_X'))\n"
        "sys.exit(3)\n"
    )
    spec = Spec("e-argset0-tree", "e", lambda: tmp_path, Run(args=("-k", "a b"), env={"ORACLE_X": "1"}, cwd="sub"), "tree")
    res = run_tool([sys.executable, str(script)], spec, tmp_path)
    assert res.returncode == 3
    cwd, argv, x = res.stdout.splitlines()
    assert Path(cwd) == (tmp_path / "sub").resolve()
    assert argv == "['--collect-only', '-k', 'a b']"
    assert x == "1"


def test_the_oracle_is_this_environments_pytest():
    (cmd,) = find_pytest()
    assert Path(cmd).parent in _scripts_dirs()
