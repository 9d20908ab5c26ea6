"""What the native engine refuses, and says so: under ``--engine native`` fastest exits 3
with ``fastest: cannot run natively: <why>`` instead of handing the run to pytest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from oracle_harness import find_pytest, normalise, require_fastest

RUN_CASES = Path(__file__).parent / "run_cases"


def _native(root: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = require_fastest()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "FASTEST_ENGINE": "native"})
    return subprocess.run([*cmd, "-p", "no:cacheprovider", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="the engine runs subTest on 3.11+")
def test_unittest_subtest_sessions_are_refused_before_python_3_11(tmp_path: Path) -> None:
    # unittest before 3.11 reports subtests otherwise, and pytest works around it.
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "unittest_subtests", root)
    got = _native(root)
    assert got.returncode == 3
    assert got.stderr == "fastest: cannot run natively: test_sub.py uses unittest subTest\n"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="pytest runs subTest before 3.11")
def test_unittest_subtest_sessions_run_natively(tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "unittest_subtests", root)
    got = _native(root, "-q")
    assert got.returncode == 1, got.stderr
    assert got.stderr == ""
    assert "SUBFAILED(n=2) test_sub.py::TestSub::test_subtests" in got.stdout


def test_unittest_sessions_without_subtest_run_natively(tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "unittest_subtests", root)
    (root / "test_fixture.py").unlink()
    (root / "test_sub.py").write_text(
        "import unittest\n\nclass TestK(unittest.TestCase):\n    def test_a(self):\n        pass\n"
    )
    got = _native(root, "-q")
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[-1].startswith("1 passed in ")


def _doctest_project(root: Path, ini: str, files: dict) -> Path:
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n" + ini)
    for name, text in files.items():
        (root / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return root


DOCTEST_TXT = "A note.\n\n>>> 1 + 1\n2\n"


def test_doctests_run_natively(tmp_path: Path) -> None:
    root = _doctest_project(tmp_path / "case", "doctest_encoding = latin-1\n",
                            {"test_note.txt": DOCTEST_TXT,
                             "lib.py": 'def f():\n    """\n    >>> f()\n    1\n    """\n    return 1\n'})
    got = _native(root, "-q", "--doctest-modules")
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[-1].startswith("2 passed in ")


def test_unknown_doctest_optionflag_is_refused(tmp_path: Path) -> None:
    # pytest fails collecting each doctest collector with a KeyError.
    root = _doctest_project(tmp_path / "case", "doctest_optionflags = ELLIPSIS BOGUS\n",
                            {"test_note.txt": DOCTEST_TXT})
    got = _native(root)
    assert got.returncode == 3
    assert got.stderr == "fastest: cannot run natively: doctest_optionflags BOGUS\n"


def test_doctest_encodings_discovery_cannot_read_are_refused(tmp_path: Path) -> None:
    root = _doctest_project(tmp_path / "utf16", "doctest_encoding = utf-16\n",
                            {"test_note.txt": DOCTEST_TXT.encode("utf-16")})
    got = _native(root)
    assert got.returncode == 3
    assert got.stderr == "fastest: cannot run natively: doctest_encoding utf-16\n"
    # latin-1 reads every byte, but only ASCII text reads as discovery read it.
    root = _doctest_project(tmp_path / "latin", "doctest_encoding = Latin_1\n",
                            {"test_note.txt": "Caf\u00e9.\n\n>>> 1\n1\n"})
    got = _native(root)
    assert got.returncode == 3
    assert got.stderr == (
        "fastest: cannot run natively: test_note.txt read with doctest_encoding Latin_1\n"
    )


def test_doctest_module_named_like_an_imported_module_is_a_collection_error(tmp_path: Path) -> None:
    # `numbers` is in sys.modules before pytest collects: "import file mismatch", a
    # collection error the native run reports as pytest does (interrupted, exit 2).
    files = {"numbers.py": '"""\n>>> 1\n1\n"""\n'}
    root = _doctest_project(tmp_path / "case", "", files)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "--doctest-modules"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=120)
    shutil.rmtree(root)
    root = _doctest_project(tmp_path / "case", "", files)
    got = _native(root, "--doctest-modules")
    assert (got.returncode, got.stderr) == (expected.returncode, ""), got.stderr
    assert expected.returncode == 2
    assert normalise(got.stdout) == normalise(expected.stdout)


def test_doctest_module_with_a_test_mapping_runs_natively_as_pytest(tmp_path: Path) -> None:
    # doctest's finder also runs the strings of a module's `__test__` dict: the import
    # fallback collects the module, and the engine finds each doctest by its name with
    # pytest's own finder.
    files = {
        "lib.py": '__test__ = {"extra": ">>> 1\\n1\\n"}\n\n'
                  'def f():\n    """\n    >>> 2\n    2\n    """\n',
        # One of them fails: the failure text is compared too.
        "other.py": '__test__ = {"bad": ">>> 1\\n2\\n"}\n',
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    root = _doctest_project(tmp_path / "case", "", files)
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "--doctest-modules", "-v"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=120)
    shutil.rmtree(root)
    root = _doctest_project(tmp_path / "case", "", files)
    got = _native(root, "--doctest-modules", "-v")
    assert (got.returncode, got.stderr) == (expected.returncode, ""), got.stderr
    assert expected.returncode == 1
    assert "lib.py::lib.__test__.extra PASSED" in expected.stdout
    assert normalise(got.stdout) == normalise(expected.stdout)


def test_collection_only_conftest_hooks_leave_the_run_to_the_native_engine(tmp_path: Path) -> None:
    # `pytest_ignore_collect` and `pytest_make_parametrize_id` only decide what pytest's
    # collection finds: the import fallback applied them, its items run natively (the
    # outputs are compared with pytest's in test_oracle_run.py).
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "collection_hooks_native", root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "FASTEST_LOG": "debug"})
    got = subprocess.run([*require_fastest(), "-p", "no:cacheprovider", "-v"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=120)
    assert got.returncode == 1, got.stdout + got.stderr
    assert "test_a.py::test_ints[n=1] PASSED" in got.stdout
    assert "pytest engine" not in got.stdout + got.stderr


def test_collector_hooks_leave_pytests_own_items_to_the_native_engine(tmp_path: Path) -> None:
    # `pytest_collect_file`, `pytest_pycollect_makemodule`, `pytest_pycollect_makeitem`:
    # the fallback's collection applied them; a file of custom items and a module whose
    # hook-made item calls a wrapper run in the pytest engine, the rest natively (the
    # outputs are compared with pytest's in test_oracle_run.py, `collector_hooks`).
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "collector_hooks", root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    got = subprocess.run([*require_fastest(), "-p", "no:cacheprovider", "-v"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=120)
    assert got.returncode == 1, got.stdout + got.stderr
    notes = [line for line in got.stdout.splitlines() if line.startswith("fastest: ")]
    assert notes == [
        "fastest: the pytest engine runs data.check (data.check::line0 is not proved by discovery)",
        "fastest: the pytest engine runs test_wrapped.py"
        " (test_wrapped.py::answer_right is not proved by discovery)",
        "fastest: the native engine runs the other modules",
    ], got.stdout
    assert "test_plain.py::check_collected_by_the_hook PASSED" in got.stdout
    assert "test_wrapped.py::answer_wrong FAILED" in got.stdout
    assert "test_future_py99" not in got.stdout


def test_a_guarded_generate_tests_hook_leaves_the_other_modules_native(tmp_path: Path) -> None:
    # `if "each_version" in metafunc.fixturenames:` and nothing else: the modules with a
    # test using the name (directly, through a fixture, through an autouse fixture) are
    # collected by pytest and run in the pytest engine; the rest is proved by discovery
    # and native (outputs compared with pytest's in test_oracle_run.py).
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "generate_tests_guard", root)
    got = _auto_run(root, "-v")
    assert got.returncode == 1, got.stdout + got.stderr
    notes = [line for line in got.stdout.splitlines() if line.startswith("fastest: ")]
    # The hook's parametrizations are no marks the native engine could redo.
    assert notes == [
        "fastest: the pytest engine runs sub/test_autouse.py"
        " (sub/test_autouse.py::test_sees_the_version[3.8] is not proved by discovery)",
        "fastest: the pytest engine runs test_direct.py"
        " (test_direct.py::test_version[3.8] is not proved by discovery)",
        "fastest: the pytest engine runs test_via_fixture.py"
        " (test_via_fixture.py::test_grammar[3.8] is not proved by discovery)",
        "fastest: the native engine runs the other modules",
    ], got.stdout
    listing = _auto_run(root, "--collect-only", "-q", log="fastest_cli=debug")
    imported = sorted(
        line.split("file=")[1].split()[0]
        for line in listing.stderr.splitlines() if "collected by import" in line
    )
    assert imported == ["sub/test_autouse.py", "test_direct.py", "test_via_fixture.py"], got.stderr
    assert "test_direct.py::test_version[3.12] PASSED" in got.stdout


def _auto_run(root: Path, *args: str, log: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    if log:
        env["FASTEST_LOG"] = log
    return subprocess.run([*require_fastest(), "-p", "no:cacheprovider", *args], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)


def test_runslow_conftest_leaves_the_run_to_the_native_engine(tmp_path: Path) -> None:
    # pytest_addoption, a markers-only pytest_configure, pytest_collection_modifyitems:
    # the import fallback's pytest ran the hooks; the native engine runs the items with
    # the marks they added and the options' values (outputs: test_oracle_run.py).
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "hooks_runslow", root)
    got = _auto_run(root, "-v")
    assert got.returncode == 0, got.stdout + got.stderr
    assert "test_runslow.py::test_slow SKIPPED (need --runslow option to run)" in got.stdout
    assert "test_runslow.py::test_xfails XFAIL (added)" in got.stdout
    assert "pytest engine" not in got.stdout + got.stderr


def test_a_modifyitems_hook_reading_item_locations_leaves_the_run_native(tmp_path: Path) -> None:
    # `item.location` is a cached property: reading it stores its value on the item,
    # which changes nothing the native engine would have to redo.
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "modifyitems_whole_list", root)
    got = _auto_run(root, "-v")
    assert got.returncode == 0, got.stdout + got.stderr
    assert "tests/integration/test_a.py::test_x SKIPPED (need --int option to run)" in got.stdout
    assert "pytest engine" not in got.stdout + got.stderr


@pytest.mark.parametrize(
    "change, why",
    [
        # A mark whose arguments are not plain values (an exception class).
        ("item.add_marker(pytest.mark.xfail(raises=ZeroDivisionError))", "not proved by discovery"),
        # Anything but marks: an attribute a fixture may read.
        ("item.flag = True", "not proved by discovery"),
        # A mark on a collector above the item.
        ("item.parent.add_marker(pytest.mark.skip)", "not proved by discovery"),
    ],
)
def test_items_a_modifyitems_hook_changed_otherwise_run_in_the_pytest_engine(
    tmp_path: Path, change: str, why: str
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n"
        "def pytest_collection_modifyitems(items):\n"
        "    for item in items:\n"
        f"        {change}\n"
    )
    (tmp_path / "test_a.py").write_text(
        "def test_one(request):\n    assert getattr(request.node, 'flag', True)\n    1 / 0\n"
    )
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "-v"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    got = _auto_run(tmp_path, "-v")
    assert f"the pytest engine runs the items (test_a.py::test_one is {why})" in got.stdout
    assert got.returncode == expected.returncode
    assert got.stdout.splitlines()[-1].split(" in ")[0] == expected.stdout.splitlines()[-1].split(" in ")[0]
    assert expected.returncode in (0, 1)


def test_a_report_header_pytest_refuses_hands_the_session_to_pytest(tmp_path: Path) -> None:
    # `startdir` is gone from pytest 9's hookspec: pytest refuses the conftest at
    # start-up; the native engine's start fails the same way and pytest runs the session.
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text("def pytest_report_header(config, startdir):\n    return 'x'\n")
    (tmp_path / "test_a.py").write_text("def test_one():\n    pass\n")
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    got = _auto_run(tmp_path)
    assert expected.returncode != 0
    assert got.returncode == expected.returncode
    assert "PluginValidationError" in expected.stderr + expected.stdout
    assert normalise(got.stdout) == normalise(expected.stdout)


@pytest.mark.parametrize(
    "body",
    [
        # What pytest's start-up would show: printed or warned.
        "print('configured')",
        "import warnings; warnings.warn(UserWarning('configure warns'))",
        # Something the native engine's `config` lacks (an AttributeError there).
        "config.no_such_attribute_anywhere",
        # The hook itself fails: pytest's start-up reports it.
        "raise ValueError('broken configure')",
    ],
)
def test_a_configure_hook_the_native_engine_cannot_vouch_for_hands_the_session_to_pytest(
    tmp_path: Path, body: str
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(f"def pytest_configure(config):\n    {body}\n")
    (tmp_path / "test_a.py").write_text("def test_one():\n    pass\n")
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "FASTEST_LOG": "info"})
    got = subprocess.run([*require_fastest(), "-p", "no:cacheprovider"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert "pytest runs this session: the engine could not start" in got.stderr
    assert got.returncode == expected.returncode
    assert normalise(got.stdout) == normalise(expected.stdout)


def test_a_configure_hook_runs_natively_without_n(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import os\n\ndef pytest_configure(config):\n    os.environ['SEEN'] = '1'\n"
    )
    (tmp_path / "test_a.py").write_text("import os\n\ndef test_one():\n    assert os.environ['SEEN'] == '1'\n")
    got = _auto_run(tmp_path, "-v")
    assert got.returncode == 0, got.stdout + got.stderr
    assert "pytest engine" not in got.stdout + got.stderr


def test_runslow_on_the_command_line_runs_natively(tmp_path: Path) -> None:
    # `--runslow` and `--level 5`: the options of the initial conftest, known from its
    # source, so `5` is no path; the hook's fallback and the native engine get them.
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "hooks_runslow", root)
    got = _auto_run(root, "--runslow", "--level", "5", "-v")
    assert "test_runslow.py::test_slow PASSED" in got.stdout, got.stdout + got.stderr
    assert "assert '5' == '3'" in got.stdout
    assert "pytest engine" not in got.stdout + got.stderr
    assert got.returncode == 1


def test_an_annotated_parser_parameter_keeps_the_options_known(tmp_path: Path) -> None:
    # `def pytest_addoption(parser: pytest.Parser)`: its options read off the source
    # all the same, so `5` is no path and the native engine gives them their values.
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n"
        "def pytest_addoption(parser: pytest.Parser) -> None:\n"
        "    parser.addoption('--runslow', action='store_true')\n"
        "    parser.addoption('--level', default='3')\n"
    )
    (tmp_path / "test_a.py").write_text(
        "def test_level(request):\n"
        "    assert request.config.getoption('--level') == '3'\n"
        "def test_slow(request):\n"
        "    assert request.config.getoption('runslow')\n"
    )
    got = _auto_run(tmp_path, "--runslow", "--level", "5", "test_a.py", "-v",
                    log="fastest_cli=debug")
    assert "test_a.py::test_slow PASSED" in got.stdout, got.stdout + got.stderr
    assert "assert '5' == '3'" in got.stdout
    assert "registers" not in got.stderr, got.stderr
    assert "pytest engine" not in got.stdout
    assert got.returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--level"],  # no value
        ["--retries", "x"],  # a value the option's type refuses
        ["--runslow=1"],  # a value for a flag
        ["--runslow", "--unknown"],
    ],
)
def test_conftest_options_pytest_refuses_are_its_usage_errors(tmp_path: Path, args: list) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "def pytest_addoption(parser):\n"
        "    parser.addoption('--runslow', action='store_true')\n"
        "    parser.addoption('--level')\n"
        "    parser.addoption('--retries', type=int)\n"
    )
    (tmp_path / "test_a.py").write_text("def test_one():\n    pass\n")
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    got = _auto_run(tmp_path, *args)
    assert expected.returncode == 4
    assert (got.returncode, got.stdout, got.stderr) == (
        expected.returncode, expected.stdout, expected.stderr
    )


def test_options_of_a_conftest_pytest_loads_while_collecting_leave_it_to_the_pytest_engine(
    tmp_path: Path,
) -> None:
    # pytest registers `sub/conftest.py` while collecting, after parsing the command
    # line: only its own machinery knows what becomes of its options.
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "conftest.py").write_text(
        "def pytest_addoption(parser):\n    parser.addoption('--flavour', default='plain')\n"
    )
    (tmp_path / "sub" / "test_a.py").write_text(
        "def test_one(pytestconfig):\n    assert pytestconfig.getoption('--flavour') == 'plain'\n"
    )
    got = _auto_run(tmp_path, "-v")
    assert "the pytest engine runs the items (conftest hook" in got.stdout
    assert got.returncode == 0, got.stdout + got.stderr


def test_a_computed_collect_ignore_leaves_the_run_to_the_native_engine(tmp_path: Path) -> None:
    # pytest's collection (the import fallback) decides what is ignored; every conftest
    # pytest may load was walked, so the items it finds run natively.
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import sys\n\ncollect_ignore = []\nif sys.version_info >= (3,):\n"
        "    collect_ignore.extend(['test_ignored.py'])\n"
    )
    (tmp_path / "test_ignored.py").write_text("def test_never():\n    raise AssertionError\n")
    (tmp_path / "test_kept.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('n', range(3))\ndef test_kept(n):\n"
        "    assert n < 2\n"
    )
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "-v"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    got = _auto_run(tmp_path, "-v")
    assert "pytest engine" not in got.stdout + got.stderr
    assert got.returncode == expected.returncode == 1
    assert normalise(got.stdout) == normalise(expected.stdout)


@pytest.mark.parametrize("by_hook", [False, True], ids=["by-m", "by-hook"])
def test_a_module_deselected_whole_in_pytests_collection(tmp_path: Path, by_hook: bool) -> None:
    # `-m` (pytest's own deselection, which the static path meets too) keeps the native
    # engine; a conftest hook that drops a whole module leaves its import to the pytest
    # engine, as pytest imports it while collecting.
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    slow: slow\n")
    hook = (
        "def pytest_collection_modifyitems(config, items):\n"
        "    dropped = [i for i in items if 'test_slow' in i.nodeid]\n"
        "    items[:] = [i for i in items if i not in dropped]\n"
        "    config.hook.pytest_deselected(items=dropped)\n"
        if by_hook else ""
    )
    (tmp_path / "conftest.py").write_text(
        "def pytest_report_header(config):\n    return 'a header line'\n\n" + hook
    )
    (tmp_path / "test_slow.py").write_text(
        "import pytest\n\npytestmark = pytest.mark.slow\n\ndef values():\n    return [0, 1]\n\n"
        "@pytest.mark.parametrize('n', values())\ndef test_s(n):\n    pass\n"
    )
    (tmp_path / "test_fast.py").write_text(
        "import pytest\n\ndef values():\n    return [0, 1, 2]\n\n"
        "@pytest.mark.parametrize('n', values())\ndef test_f(n):\n    assert n < 2\n"
    )
    args = ["-v"] if by_hook else ["-v", "-m", "not slow"]
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    got = _auto_run(tmp_path, *args)
    assert ("pytest engine" in got.stdout) == by_hook, got.stdout
    assert got.returncode == expected.returncode == 1
    lines = [l for l in got.stdout.splitlines(keepends=True) if not l.startswith("fastest: ")]
    assert normalise("".join(lines)) == normalise(expected.stdout)


@pytest.mark.parametrize(
    ("blocked", "absent", "present"),
    [
        ([], [], ["xml.etree.ElementTree", "pdb", "readline", "faulthandler"]),
        (["junitxml"], ["xml.etree.ElementTree"], ["pdb", "faulthandler"]),
        (["debugging", "faulthandler"], ["pdb", "faulthandler"], ["xml.etree.ElementTree"]),
    ],
)
def test_the_engine_imports_what_pytests_unblocked_default_plugins_import(
    blocked: list, absent: list, present: list
) -> None:
    # A fresh interpreter: what importing the engine (and pytest) brings, then what the
    # engine adds for pytest's default plugins that `-p no:` left.
    code = (
        "import sys, json\n"
        "from fastest._engine import _import_core_plugins\n"
        f"_import_core_plugins({blocked!r})\n"
        f"print(json.dumps({{m: m in sys.modules for m in {absent + present!r}}}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    loaded = __import__("json").loads(out.stdout)
    assert {m: loaded[m] for m in absent} == {m: False for m in absent}
    assert {m: loaded[m] for m in present} == {m: True for m in present}


def test_the_projects_plugin_modules_leave_the_run_to_the_native_engine(tmp_path: Path) -> None:
    # The root conftest's `pytest_plugins` names the project's fixture modules: pytest's
    # collection registers them and reports their hooks (none); the native engine loads
    # them with the conftest (outputs: test_oracle_run.py's project_plugins).
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "project_plugins", root)
    got = _auto_run(root, "-v")
    assert got.returncode == 1, got.stdout + got.stderr
    assert "tests/test_plugins.py::test_flavour[b] PASSED" in got.stdout
    assert "pytest engine" not in got.stdout + got.stderr
    # A module of theirs with a runtest hook: the pytest engine, which says why.
    got = _auto_run(root, "-v", "hooked")
    assert got.returncode == 0, got.stdout + got.stderr
    assert "helpers/hooked.py (plugin): pytest_runtest_setup)" in got.stdout
    # A name pytest registers no module under (a plugin skipping itself): the pytest
    # engine, as pytest loads it.
    (root / "helpers" / "skipping.py").write_text(
        "import pytest\npytest.skip('no backend', allow_module_level=True)\n"
    )
    conftest = root / "conftest.py"
    conftest.write_text(
        conftest.read_text().replace('["helpers.fixtures"]', '["helpers.fixtures", "helpers.skipping"]')
    )
    got = _auto_run(root, "-v")
    assert got.returncode == 1, got.stdout + got.stderr
    assert "conftest.py: pytest_plugins (helpers.skipping))" in got.stdout


def test_a_project_module_loaded_by_p_leaves_the_run_to_the_native_engine(tmp_path: Path) -> None:
    # `-p helpers.fixtures` (importable through PYTHONPATH): pytest's collection loads
    # it and reports its hooks (none); the native engine loads it at its start. Its
    # `pytest_plugins` ("helpers.more") comes with it.
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "project_plugins", root)
    (root / "conftest.py").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "PYTHONPATH": str(root)})
    args = ["-p", "no:cacheprovider", "-p", "helpers.fixtures", "-rA", "tests"]
    expected = subprocess.run([*find_pytest(), *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
    # Never handed to pytest (that fails the run).
    env_f = {**env, "FASTEST_NO_DELEGATE": "1"}
    got = subprocess.run([*require_fastest(), "-v", *args], cwd=root, env=env_f,
                         capture_output=True, text=True, timeout=120)
    assert expected.returncode == got.returncode == 1, got.stdout + got.stderr
    assert "pytest engine" not in got.stdout, got.stdout
    def summary(out: str) -> list:
        # -rA's short summary lines and the final counts.
        lines = [l for l in out.splitlines() if l.startswith(("PASSED ", "FAILED "))]
        return lines + [out.splitlines()[-1].strip("= ").split(" in ")[0]]

    assert summary(got.stdout) == summary(expected.stdout)
    # Without the case's conftest its override and autouse order tests fail.
    assert summary(got.stdout)[-1] == "3 failed, 5 passed"
    # `$PYTEST_PLUGINS` names it the same way.
    got = subprocess.run([*require_fastest(), "-v", *args[:2], "-rA", "tests"], cwd=root,
                         env={**env_f, "PYTEST_PLUGINS": "helpers.fixtures"},
                         capture_output=True, text=True, timeout=120)
    assert "pytest engine" not in got.stdout, got.stdout
    assert summary(got.stdout) == summary(expected.stdout)
    # One with a runtest hook: the pytest engine, with pytest's outcomes.
    got = subprocess.run([*require_fastest(), "-v", *args, "-p", "helpers.hooked"], cwd=root,
                         env=env_f, capture_output=True, text=True, timeout=120)
    assert "helpers/hooked.py (plugin): pytest_runtest_setup)" in got.stdout, got.stdout
    assert summary(got.stdout)[-1] == "3 failed, 5 passed"


# --------------------------------------------------------------------------
# `--engine auto` per module: the pytest engine for the modules that need it, the
# native engine for the rest, in the same workers (`fastest._mixed`).
# --------------------------------------------------------------------------


def _final(text: str) -> str:
    return text.splitlines()[-1].split(" in ")[0].strip("= ")


# Spread over two workers, the modules' order is not one process's.
_ORDER = "tests/test_z_native.py::test_modules_in_order"


@pytest.mark.parametrize("workers", [[], ["-n", "2", "--deselect", _ORDER]])
def test_item_hooks_below_a_directory_send_only_its_modules_to_the_pytest_engine(
    tmp_path: Path, workers: list
) -> None:
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "mixed_engines", root)
    deselect = ["--deselect", _ORDER] if workers else []
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "-q", *deselect],
                              cwd=root, capture_output=True, text=True, timeout=120)
    got = _auto_run(root, "-v", *workers)
    hook = f"conftest hook {root / 'tests' / 'hooked' / 'conftest.py'}: pytest_runtest_protocol"
    notes = [line for line in got.stdout.splitlines() if line.startswith("fastest: ")]
    assert notes == [
        f"fastest: the pytest engine runs tests/hooked/test_h1.py ({hook})",
        f"fastest: the pytest engine runs tests/hooked/test_h2.py ({hook})",
        "fastest: the native engine runs the other modules",
    ], got.stdout + got.stderr
    assert got.returncode == expected.returncode == 1
    # (pytest-xdist's summary counts no deselection: its workers deselect.)
    assert _final(got.stdout) == _final(expected.stdout).replace(" 1 deselected,", "" if workers else " 1 deselected,")
    # `--engine native` names the first module it cannot run.
    refused = _native(root)
    assert refused.returncode == 3
    assert refused.stderr == f"fastest: cannot run natively: {hook}\n"


def test_a_session_fixture_both_engines_use_keeps_the_session_on_one_engine(
    tmp_path: Path,
) -> None:
    # One instance per session under pytest: two engines would each make their own.
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "mixed_engines", root)
    with open(root / "conftest.py", "a") as f:
        f.write(
            "\n\nCOUNT = []\n\n\n@pytest.fixture(scope='session')\ndef once():\n"
            "    COUNT.append(1)\n    return len(COUNT)\n"
        )
    (root / "tests" / "hooked" / "test_h3.py").write_text("def test_h3(once):\n    assert once == 1\n")
    (root / "tests" / "test_y_native.py").write_text("def test_y(once):\n    assert once == 1\n")
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", "-q"], cwd=root,
                              capture_output=True, text=True, timeout=120)
    got = _auto_run(root, "-v")
    hook = f"conftest hook {root / 'tests' / 'hooked' / 'conftest.py'}: pytest_runtest_protocol"
    notes = [line for line in got.stdout.splitlines() if line.startswith("fastest: ")]
    conftest = root / "conftest.py"
    assert notes == [
        f"fastest: the pytest engine runs the items ({hook}; one engine for the session: "
        f"fixture once of {conftest} is used by modules of both engines)"
    ], got.stdout
    assert _final(got.stdout) == _final(expected.stdout)
    # Used by the pytest engine's modules only, it stays one engine's: the split holds.
    (root / "tests" / "test_y_native.py").write_text("def test_y():\n    pass\n")
    got = _auto_run(root, "-v")
    notes = [line for line in got.stdout.splitlines() if line.startswith("fastest: ")]
    assert notes[-1] == "fastest: the native engine runs the other modules", got.stdout



@pytest.mark.parametrize("args", [[], ["sub"], ["test_a.py", "sub"], ["-k", "started"]])
def test_session_hooks_run_natively_as_pytest_calls_them(tmp_path: Path, args: list) -> None:
    # The initial conftests' pytest_sessionstart, every registered conftest's
    # pytest_sessionfinish (with the session's exit status) and pytest_unconfigure, in
    # pytest's order: what they record is the same (the outputs: test_oracle_run.py).
    logs = []
    for runner in ("pytest", "fastest"):
        root = tmp_path / runner
        shutil.copytree(RUN_CASES / "session_hooks", root)
        if runner == "pytest":
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
            done = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", *args], cwd=root,
                                  env=env, capture_output=True, text=True, timeout=120)
        else:
            done = _native(root, *args)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        logs.append((done.returncode, (root / "session.log").read_text()))
    assert logs[1] == logs[0]
    assert logs[0][1].startswith("root start\n")


def test_a_text_file_without_doctests_is_not_imported(tmp_path: Path) -> None:
    """A `--doctest-glob` file with no doctest is collected, not imported: no worker
    tries to import it (which failed, and had pytest collect the session again)."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "test_notes.txt").write_text("Notes, no doctest here.\n")
    (root / "test_a.py").write_text("def test_a():\n    pass\n")
    env_log = {"FASTEST_LOG": "debug"}
    cmd = require_fastest()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1", "FASTEST_ENGINE": "native", **env_log})
    got = subprocess.run([*cmd, "-p", "no:cacheprovider", "-q"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[-1].startswith("1 passed in ")
    assert "failed to import" not in got.stderr, got.stderr


SET_PARAMS = """\
import pytest

WORDS = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}


@pytest.mark.parametrize("word", WORDS)
def test_id_names_the_value(word, request):
    assert request.node.callspec.id == word


@pytest.mark.parametrize("word", list(WORDS))
@pytest.mark.parametrize("n", [1, 2])
def test_fails_for_gamma_only(n, word):
    assert word != "gamma"
"""


def test_parameters_from_a_set_run_with_the_values_their_ids_name(tmp_path: Path) -> None:
    # A set of strings iterates in the order of the process's string hashes: the import
    # fallback that names the items and the worker that runs them each have their own
    # (no PYTHONHASHSEED), so the worker finds each parameter set by its values.
    root = tmp_path / "case"
    root.mkdir()
    (root / "test_sets.py").write_text(SET_PARAMS)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "FASTEST_"))
           and k not in ("PYTHONHASHSEED", "CI", "BUILD_NUMBER", "GITHUB_ACTIONS")}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    expected = subprocess.run([*find_pytest(), "-q", "-p", "no:cacheprovider"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
    assert expected.returncode == 1, expected.stdout
    failed = sorted(line for line in expected.stdout.splitlines() if line.startswith("FAILED"))
    # Only the node IDs are pinned: the reason's truncation follows the terminal and CI.
    assert [line.split(" - ")[0] for line in failed] == [
        "FAILED test_sets.py::test_fails_for_gamma_only[1-gamma]",
        "FAILED test_sets.py::test_fails_for_gamma_only[2-gamma]",
    ]
    # Three runs: the first names the items in a fresh fallback, the others take its
    # cached answer, each with new workers.
    for _ in range(3):
        env.pop("PYTHONHASHSEED", None)
        got = subprocess.run([*require_fastest(), "-q", "-p", "no:cacheprovider"], cwd=root,
                             env={**env, "FASTEST_ENGINE": "native"},
                             capture_output=True, text=True, timeout=120)
        assert got.returncode == 1, got.stdout + got.stderr
        lines = got.stdout.splitlines()
        assert sorted(line for line in lines if line.startswith("FAILED")) == failed, got.stdout
        assert lines[-1].startswith("2 failed, 22 passed in "), got.stdout


@pytest.mark.parametrize("verbose", [True, False], ids=["v", "default"])
def test_a_session_handed_to_pytest_says_why_under_v(tmp_path: Path, verbose: bool) -> None:
    # Live logs are pytest's to draw: the session is pytest's, and -v says so on stderr
    # (as it names the modules the pytest engine runs); pytest's own output follows.
    root = tmp_path / "case"
    root.mkdir()
    (root / "test_a.py").write_text("def test_a():\n    pass\n")
    args = ["-p", "no:cacheprovider", "-o", "log_cli=true"] + (["-v"] if verbose else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    expected = subprocess.run([*find_pytest(), *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)
    got = subprocess.run([*require_fastest(), *args], cwd=root, env=env, capture_output=True,
                         text=True, timeout=120)
    assert got.returncode == expected.returncode == 0
    note = "fastest: pytest runs this session: log_cli (live logs)\n"
    assert got.stderr == (note if verbose else "") + expected.stderr
    assert normalise(got.stdout) == normalise(expected.stdout)


def test_instance_method_fixture_deprecation_fails_setup_under_an_error_filter(tmp_path: Path) -> None:
    """pytest raises its deprecation warning about a class-scoped fixture defined as a
    plain method from the fixture's setup: an error filter makes the setup an ERROR (the
    traceback's pytest frames differ; the outcomes, counts and exit code do not)."""
    root = tmp_path / "case"
    shutil.copytree(RUN_CASES / "class_fixture_methods", root)
    args = ("-q", "-rA", "-W", "error::DeprecationWarning")
    got = _native(root, *args)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    expected = subprocess.run([*find_pytest(), "-p", "no:cacheprovider", *args], cwd=root,
                              env=env, capture_output=True, text=True, timeout=120)
    assert expected.returncode == 1
    assert got.returncode == expected.returncode, got.stdout

    def outcomes(out: str) -> list:
        lines = [l for l in out.splitlines() if l.startswith(("PASSED ", "ERROR ", "FAILED "))]
        return lines + [normalise(out.splitlines()[-1])]

    assert outcomes(got.stdout) == outcomes(expected.stdout)
    assert "ERROR test_methods.py::TestA::test_one - pytest.PytestRemovedIn10Warning" in got.stdout
