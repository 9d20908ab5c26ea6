"""Oracle: ``fastest --collect-only`` must print exactly what ``pytest --collect-only`` prints.

Every case under ``cases/`` is a small self-contained project (its own rootdir
and config, or none).  For each case x argument set x output form (``-q``,
``-qq`` and the plain tree) the harness in ``conftest.py`` runs real pytest and
fastest in the same freshly copied directory and compares stdout, stderr and
the exit code, after normalising only the duration of the final line.

Test ids read ``<case>-argset<N>-<form>``; ``ARGSETS[case][N]`` is the
argument set.  Run just one case with ``-k walk_order`` or one form with
``-k "argset0-q"``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
from oracle_harness import CASES_DIR, Run, make_specs

pytestmark = pytest.mark.oracle


# --------------------------------------------------------------------------
# Files that cannot live in git: created in each fresh copy at run time.
# --------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def setup_walk_order(root: Path) -> None:
    # __pycache__ is always skipped, even when it holds matching .py files.
    _write(root / "__pycache__" / "test_cached.py", "def test_cached():\n    pass\n")
    _write(root / "pkg" / "__pycache__" / "test_cached2.py", "def test_cached2():\n    pass\n")
    # An empty directory (git cannot store one).
    (root / "test_empty_dir").mkdir()


def setup_walk_symlinks(root: Path) -> None:
    tests = root / "tests"
    os.symlink(".", tests / "cyclic" / "again")  # loop: followed until ELOOP
    os.symlink("../real", tests / "linked_dir")
    os.symlink("../real/impl_tests.py", tests / "test_linked.py")
    os.symlink("missing.py", tests / "test_dangling.py")


def setup_walk_unreadable(root: Path) -> None:
    os.chmod(root / "tests" / "locked", 0)
    os.chmod(root / "tests" / "test_secret.py", 0)


def _chmod_stops_reads() -> bool:
    """False where permission bits are not enforced (root, some CI containers)."""
    with tempfile.TemporaryDirectory() as d:
        locked = Path(d) / "locked"
        locked.mkdir()
        os.chmod(locked, 0)
        try:
            os.listdir(locked)
        except PermissionError:
            return True
        finally:
            os.chmod(locked, stat.S_IRWXU)
        return False


SETUP: Dict[str, Callable[[Path], None]] = {
    "walk_order": setup_walk_order,
    "walk_symlinks": setup_walk_symlinks,
    "walk_unreadable": setup_walk_unreadable,
}

MARKS: Dict[str, list] = {
    "walk_unreadable": [
        pytest.mark.skipif(
            not _chmod_stops_reads(),
            reason="chmod 000 does not stop reads here (running as root?)",
        )
    ],
}


# --------------------------------------------------------------------------
# Case -> argument sets.  A plain list is argv; Run(...) adds env / cwd.
# --------------------------------------------------------------------------

ARGSETS: Dict[str, List] = {
    # ---- configuration files and rootdir --------------------------------
    "config_pytest_toml": [[], ["tests/unit", "scripts"], ["-o", "python_functions=check_"]],
    "config_dot_pytest_toml": [[]],
    "config_dot_pytest_ini": [
        [],
        ["sub"],
        ["sub/tests/test_sub.py", "tests"],
        Run(args=("..",), cwd="sub/tests"),
    ],
    "config_pytest_ini": [[], ["-m", "api or slow"], ["tests/legacy", "tests/api"]],
    "config_pyproject_native": [[], ["-o", "testpaths=pkg_b"]],
    "config_pyproject_ini_options": [[], ["other"]],
    "config_pyproject_bare": [[], ["tests", "sub"], Run(cwd="sub")],
    "config_tox_ini": [[]],
    "config_setup_cfg": [[], ["tests/legacy"], ["--deselect", "tests/new/test_new.py::ParserTests"]],
    "config_priority": [[], ["tests/tox_x.py"]],
    "config_rootdir_args": [
        [],
        ["proj/tests", "other"],
        ["-c", "configs/strict.ini", "proj/tests", "other"],
        ["-c", "proj/pytest.ini"],
        ["--rootdir=proj", "other"],
        Run(args=("--rootdir=$ORACLE_ROOT", "proj/tests"), env={"ORACLE_ROOT": "proj"}),
        Run(cwd="proj/tests"),
        Run(args=("../../other", "."), cwd="proj/tests"),
    ],
    "config_setup_py": [[], Run(cwd="tests/deep")],
    "config_none": [[], ["b/c", "a"], Run(args=("../b",), cwd="a")],
    "config_malformed_ini": [[]],
    "config_malformed_toml": [[]],
    "config_toml_mixed_tables": [[]],
    "config_toml_wrong_type": [[]],
    "config_unknown_keys": [[], ["--strict-config"], ["-o", "minversion=99"]],
    "config_addopts": [
        [],
        Run(env={"PYTEST_ADDOPTS": "-k beta"}),
        Run(args=("-k", "alpha"), env={"PYTEST_ADDOPTS": "-k beta --ignore=tests/test_beta.py"}),
        ["-o", "addopts="],
        Run(env={"PYTEST_ADDOPTS": '-k "not"'}),
    ],
    # ---- directory walk -------------------------------------------------
    # An installed plugin fastest does not know (on PYTHONPATH) collects an item more:
    # pytest lists the session.
    "unknown_plugin": [
        Run(env={"PYTHONPATH": "site"}),
        Run(args=("-q",), env={"PYTHONPATH": "site"}),
    ],
    "walk_order": [
        [],
        ["--collect-in-virtualenv"],
        ["myenv", "build", ".hidden/test_hidden.py", "venv/test_venv.py"],
        ["-o", "norecursedirs="],
        ["pkg/sub", "test_a", "pkg/sub/deeper/test_deeper.py"],
        ["Test_upper.py", "_test_private.py", "test.py", "test_notpy.txt"],
    ],
    "walk_ignore": [
        [],
        ["--ignore=tests/sub", "--ignore-glob=*/build/*", "--deselect", "tests/test_main.py::test_main_2"],
        ["--ignore-glob=build/*", "--ignore=.hidden/test_hidden.py", "--deselect", "tests/sub"],
        ["tests/test_ignored_by_conftest.py", "tests/skip_me", "tests/sub/test_sub_extra.py"],
    ],
    "walk_symlinks": [[], ["tests/linked_dir", "tests/test_linked.py"], ["tests/test_dangling.py"]],
    "walk_unreadable": [[], ["tests/open"], ["tests/locked"]],
    "walk_duplicates": [
        ["tests", "tests/test_a.py"],
        ["--keep-duplicates", "tests/test_a.py", "tests/test_a.py"],
        ["tests/test_a.py::test_one", "tests/test_a.py"],
        ["tests/test_b.py", "./tests/test_a.py"],
    ],
    # ---- what counts as a test ------------------------------------------
    "naming_rules": [[], ["-o", "python_files=*.py"]],
    "module_contents": [[], ["test_contents.py::TestMethods::TestNested"]],
    "module_generator_error": [[]],
    "inheritance": [[], ["tests/test_inherit.py::TestGrandChild"]],
    "unittest_cases": [[], ["-k", "alpha or Aliased"]],
    # ---- parametrize and fixture ids ------------------------------------
    "param_literals": [[]],
    "param_ids": [
        [],
        ["-o", "strict_parametrization_ids=true"],
        ["-o", "empty_parameter_set_mark=fail_at_collect"],
        ["-m", "slow"],
    ],
    "param_values": [[]],
    "param_static_values": [[]],
    # base classes and TestCases taken from helper modules, read from their source
    "external_bases": [[]],
    # top-level `if`s on the version or TYPE_CHECKING: the branch import runs
    "static_conditions": [[], ["--doctest-modules"]],
    # docstrings assigned at import (`f.__doc__ = ...`, `setattr(g, "__doc__", ...)` on
    # another module's function): doctest's finder reads what the imports left
    "doctest_assigned_docs": [["--doctest-modules"]],
    # module-level importorskip: certain when the module imports
    "importorskip": [[], ["-rs"]],
    # constants a decorator, a loop, an item assignment, a helper or `global` changes
    "param_mutated": [[], ["-k", "read_only or table"]],
    # sorted()/list()/tuple() of literals and dict keys: IDs known without an import
    "param_builtins": [[], ["-k", "sorted"]],
    "param_long_strings": [
        [],
        ["-o", "parametrize_long_str_id_strategy=sha256"],
        ["-o", "parametrize_long_str_id_strategy=legacy"],
        ["-o", "parametrize_long_str_id_strategy=disallow"],
    ],
    "fixture_params": [[], ["tests/test_reorder.py"], ["-k", "sqlite"]],
    # duplicate IDs are suffixed, or pytest's collection error under the strict inis
    "param_strict_ids": [
        [],
        ["-o", "strict_parametrization_ids=true"],
        ["--strict"],
        ["-o", "strict=true", "-o", "strict_parametrization_ids=false"],
        ["-o", "strict_parametrization_ids=true", "test_clean.py"],
    ],
    # ---- files static analysis cannot prove -----------------------------
    "uncertain_module": [[], ["-k", "gen or helper"]],
    "uncertain_hooks": [[], ["tests/specs", "tests/test_reversed.py"], ["-k", "chocolate or get_user"]],
    # Conftest hooks that write into the listing (header lines, lines after the
    # collected line, the terminal summary): pytest's session renders it.
    "reporting_hooks": [[], ["--no-header"]],
    # ---- doctests ---------------------------------------------------------
    "doctests": [
        [],
        ["--doctest-modules"],
        ["--doctest-modules", "--import-mode=importlib"],
        ["--doctest-glob=*.rst", "--doctest-glob=*.md"],
        ["docs/guide.rst", "docs/empty.txt"],
        ["docs/notes.md"],
        ["--doctest-modules", "pkg/mod.py::pkg.mod.C.m", "pkg/sub"],
    ],
    # ---- selection ----------------------------------------------------------
    "selection": [
        [],
        ["tests/api/test_users.py::TestUsers::test_roles[a b]", "tests/db/test_queries.py::test_insert"],
        ["tests/api/test_users.py::TestUsers::TestAdmin", "tests/api/test_users.py::TestUsers::test_create"],
        ["tests/api/test_users.py::TestUsers::test_roles[x/y]", "tests/api/test_users.py::TestUsers::test_roles[p::q]"],
        ["tests/api/test_users.py::nope"],
        ["tests/api/test_users.py::TestUsers::test_roles[nope]"],
        ["-k", "slow or TestAdmin"],
        ["-k", "USERS and not roles"],
        ["-k", "parametrize"],
        ["-k", "test_top_param[1]"],
        ["-m", "not slow and not network"],
        ["-m", "device(serial='123') or smoke"],
        ["-m", "unknownmark"],
        ["-m", "unknownmark", "--strict-markers"],
        ["-k", "a and ("],
        ["-k", "nomatch"],
        ["--deselect", "tests/api", "--deselect", "tests/db/test_queries.py::test_insert[one]"],
        ["does_not_exist.py"],
        Run(args=("-k", "users"), env={"COLUMNS": "120"}),
        # pytest's markup: bold header, coloured final line (deselected, nothing left)
        ["--color=yes", "-k", "slow or TestAdmin"],
        ["--color=yes", "-k", "nomatch"],
    ],
    # ---- broken input -------------------------------------------------------
    "bad_syntax": [
        [],
        ["--continue-on-collection-errors"],
        ["--ignore=tests/test_broken.py", "--ignore=tests/test_indent.py", "tests/test_good.py"],
        Run(env={"COLUMNS": "200"}),
        ["--color=yes"],
        Run(args=("--continue-on-collection-errors",), env={"PY_COLORS": "1"}),
    ],
    "bad_encoding": [[]],
    # Statically these files look fine; only importing them shows the error.
    "import_errors": [[], ["tests/test_fine.py", "tests/test_relative.py"], ["--color=yes", "-rA"]],
    "import_modes": [
        [],
        ["--import-mode=importlib"],
        ["lib/test_importorskip.py", "lib/test_skipping.py", "a"],
        ["--color=yes", "-rs", "lib/test_importorskip.py", "lib/test_skipping.py", "a"],
    ],
    "marks_strict": [[], ["--strict-markers"], ["-m", "registered"]],
    # Calls at import time read through the module's own functions; `\N{...}` names.
    "import_time_calls": [[], ["--continue-on-collection-errors"]],
    "star_imports": [[], ["tests/test_star_all.py", "tests/test_star_public.py"]],
    # A `test` package: CPython's regression tests share the name.
    "stdlib_test_package": [[], ["--doctest-modules"]],
    # Without capture what the imports print is in the listing (and with it, nothing).
    "import_output": [[], ["-s"], ["-q", "-s"], ["--capture=tee-sys"], ["--capture=sys", "-q"]],
    "no_tests": [[], ["missing_dir", "tests"], ["-k", "foo"]],
    # ---- bigger, realistic projects ------------------------------------------
    "realistic_src_layout": [
        [],
        ["-m", "not slow"],
        ["tests/unit", "-k", "total"],
        ["-o", "addopts="],
        ["src/shopcart/cart.py", "tests/integration/test_checkout.py::TestRefunds"],
    ],
    "realistic_flat_tox": [[], ["--runslow", "-m", "slow"], ["benchmarks", "tests"]],
    "realistic_monorepo": [
        [],
        ["packages/api", "-m", "not slow"],
        ["--import-mode=prepend"],
        Run(cwd="packages/api"),
    ],
}


def _all_params() -> list:
    params = []
    on_disk = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
    missing = sorted(set(ARGSETS) - set(on_disk))
    unused = sorted(set(on_disk) - set(ARGSETS))
    if missing or unused:
        raise RuntimeError(f"ARGSETS and cases/ disagree: missing dirs {missing}, no argsets {unused}")
    for name in sorted(ARGSETS):
        params += make_specs(
            name,
            (lambda n=name: CASES_DIR / n),
            ARGSETS[name],
            setup=SETUP.get(name),
            marks=MARKS.get(name, ()),
        )
    return params


@pytest.mark.parametrize("spec", _all_params())
def test_collect_only_matches_pytest(spec, oracle):
    oracle.check(spec)


def _collect_both(root: Path, *extra: str, rc: int = 0) -> Tuple[List[str], str]:
    """``--collect-only -q`` by pytest and fastest in ``root``: the outputs must be
    pytest's (and the exit code ``rc``); the files fastest collected by import (its
    debug log), sorted, and that log."""
    import subprocess

    from oracle_harness import child_env, find_pytest, normalise, require_fastest

    args = ["--collect-only", "-q", "-p", "no:cacheprovider", *extra]
    expected = subprocess.run([*find_pytest(), *args], cwd=root, env=child_env({}),
                              capture_output=True, text=True, timeout=120)
    actual = subprocess.run(
        [*require_fastest(), *args], cwd=root,
        env=child_env({"FASTEST_LOG": "fastest_cli=debug", "NO_COLOR": "1"}),
        capture_output=True, text=True, timeout=120)
    assert actual.returncode == expected.returncode == rc, (expected.stdout, actual.stderr)
    assert normalise(actual.stdout) == normalise(expected.stdout)
    # (A partial collection with an error a module raised as it was imported is
    # followed by pytest's collection of the whole session, `<session>`: its first
    # pass's files are what discovery left to the import.)
    imported = sorted(
        {line.split("file=")[1].split()[0]
         for line in actual.stderr.splitlines()
         if "collected by import" in line} - {"<session>"}
    )
    return imported, actual.stderr


def _run_both(root: Path, *args: str):
    """pytest's run in ``root``, then fastest's (``-q -rA`` and ``args``)."""
    import subprocess

    from oracle_harness import child_env, find_pytest, require_fastest

    argv = ["-q", "-rA", "-p", "no:cacheprovider", *args]
    return [subprocess.run([*cmd, *argv], cwd=root, env=child_env({"NO_COLOR": "1"}),
                           capture_output=True, text=True, timeout=120)
            for cmd in (find_pytest(), require_fastest())]


def _case_copy(tmp_path: Path, name: str) -> Path:
    import shutil

    root = tmp_path / "case"
    shutil.copytree(CASES_DIR / name, root)
    return root


def test_import_error_handlers_need_an_import_only_when_their_try_may_fail(tmp_path: Path) -> None:
    """``try: <imports> except ImportError: <imports>``: the handler runs only when an
    import of the ``try`` fails. A file whose attempt resolves, or whose handler's
    imports do, is certain (collected without an import); one where both sides are
    missing is imported, and pytest's collection error is the answer. Test-like names
    bound to modules (``from helperpkg import testing``, ``import a.b as testing_x``)
    are no tests: that file is certain too. A helper module beside the tests is read
    for its own imports: one that cannot import makes its importer's import fail
    (``test_broken_helper.py``), helpers that import each other fine leave theirs
    certain (``test_fine_helper.py``)."""
    imported, log = _collect_both(_case_copy(tmp_path, "import_errors"), rc=2)
    assert imported == [
        "tests/test_broken_helper.py",
        "tests/test_import_error.py",
        "tests/test_raises_at_import.py",
        "tests/test_relative.py",
        "tests/test_try_both_missing.py",
    ], log


def test_values_the_source_settles_need_no_import(tmp_path: Path) -> None:
    """Class-body constants named by the decorators below them, arithmetic on
    literals and instances of plain local classes give pytest's IDs without an
    import; a value only an import settles (an instance of a ``str`` subclass, an
    integer past 128 bits, a function of a module whose C accelerator may replace it)
    still sends its file to the import fallback."""
    imported, log = _collect_both(_case_copy(tmp_path, "param_static_values"))
    assert imported == ["tests/test_accelerated.py", "tests/test_still_uncertain.py"], log


def test_import_time_calls_are_read_through_the_modules_own_functions(tmp_path: Path) -> None:
    r"""A package ``__init__`` calling its own function whose name says "import"
    (simplejson's ``OrderedDict = _import_OrderedDict()``) and a script entry point under
    ``if __name__ == "__main__"`` do not send the package's tests to the import; nor do
    bases a compatibility module names (``text_type = str``, ``plain_base = object``),
    test-like names bound to values pytest does not call (``os.path.join(...)``) or
    ``\N{...}`` escapes with canonical names (decoded for IDs). A function that raises
    when called at import, a name CPython may not know (lower case, here), a test
    class on ``str`` (pytest's warning) and classes changed after their statement
    (``setattr``, ``Cls.test_x = f``, ``del Base.test_y``) still do."""
    imported, log = _collect_both(_case_copy(tmp_path, "import_time_calls"), rc=2)
    assert imported == [
        "pkg/tests/test_class_changed.py",
        "pkg/tests/test_lowercase_name.py",
        "pkg/tests/test_still_uncertain.py",
        "pkg/tests/test_value_base.py",
    ], log


def test_star_imports_bind_what_the_helpers_source_exports(tmp_path: Path) -> None:
    """``from helpers import *`` is read from the helper's source: its literal
    ``__all__``, or its public names (its own star imports too). The bound names serve
    as bases (an inert helper class) and parameters (a function's ``__name__``) like
    explicit imports. A helper exporting a test, a
    fixture, a computed ``__all__``, a builtin the module reads as the builtin, or a
    module that does not exist still sends the file to pytest's import."""
    imported, log = _collect_both(_case_copy(tmp_path, "star_imports"), rc=2)
    assert imported == [
        "tests/test_star_computed.py",
        "tests/test_star_fixture.py",
        "tests/test_star_missing.py",
        "tests/test_star_shadow.py",
        "tests/test_star_tests.py",
    ], log


def test_a_test_package_needs_no_import(tmp_path: Path) -> None:
    """A project's ``test`` package shares its name with CPython's regression-test
    package, which nothing a session loads imports: pytest imports the project's, and
    fastest reads it from the source (a package named like another stdlib module that
    libraries do import still goes to pytest's import)."""
    imported, log = _collect_both(_case_copy(tmp_path, "stdlib_test_package"))
    assert imported == [], log


def test_classes_from_helper_modules_are_read_from_their_source(tmp_path: Path) -> None:
    """A base class imported from a helper module (through a module alias, a package's
    submodule or a compatibility module's ``unittest``), an imported ``TestCase`` with
    no tests and stdlib bases (``enum.Enum``, ``abc.ABC``) need no import when the
    helper's class brings nothing pytest collects; a base of the project that brings
    tests (with marks, parameters, its own bases, a ``TestCase``) is read whole from its
    source, and so is an imported ``TestCase`` pytest collects here; a base with an
    ``__init__`` or ``__init_subclass__`` still needs the import; members of a helper
    module's enum classes are named from its source. Editing the helper re-collects the
    modules that read it (the discovery cache lists it), and the answer stays pytest's."""
    root = _case_copy(tmp_path, "external_bases")
    # Sources an hour old: the cache trusts their stat data (nothing "racy").
    import time

    past = time.time() - 3600
    for p in sorted(root.rglob("*"), reverse=True):
        os.utime(p, (past, past))

    imported, log = _collect_both(root)
    assert imported == ["tests/test_init_subclass.py", "tests/test_still_uncertain.py"], log
    # Inherited tests read from the helper run as pytest runs them (outcomes, the skip's
    # location in the helper).
    import subprocess

    from oracle_harness import child_env, find_pytest, require_fastest

    def outcomes(cmd: list) -> tuple:
        res = subprocess.run([*cmd, "-q", "-rA", "-p", "no:cacheprovider",
                              "tests/test_inherited.py"], cwd=root, env=child_env({}),
                             capture_output=True, text=True, timeout=120)
        lines = [ln for ln in res.stdout.splitlines()
                 if ln.split(" ")[0] in ("PASSED", "SKIPPED", "FAILED", "ERROR")]
        return res.returncode, lines

    assert outcomes(require_fastest()) == outcomes(find_pytest())
    # The helper's class now brings a test: the cached answer of the module deriving
    # from it is stale.
    helper = root / "tests" / "base.py"
    helper.write_text(helper.read_text().replace(
        "    def make(self):", "    def test_from_helper(self):\n        assert True\n\n    def make(self):"))
    imported, log = _collect_both(root)
    # Read whole from the helper (the output is pytest's, with the new test, only if
    # the cached answer was dropped).
    assert imported == ["tests/test_init_subclass.py", "tests/test_still_uncertain.py"], log
    # A helper whose import warns (an unregistered mark): only pytest's import of the
    # module reading it reports the warning.
    factories = root / "tests" / "pkg" / "factories.py"
    factories.write_text(factories.read_text().replace(
        '@pytest.mark.filterwarnings("ignore")', "@pytest.mark.slow"))
    imported, log = _collect_both(root)
    assert "tests/test_named_values.py" in imported, log


def test_importorskip_of_an_importable_module_needs_no_import(tmp_path: Path) -> None:
    """A module-level ``pytest.importorskip("m")`` (a ``reason`` too) of a module that
    resolves is an import like ``import m``: the file is read from the source. A
    module that does not resolve, or a ``minversion`` to check, is left to pytest."""
    imported, log = _collect_both(_case_copy(tmp_path, "importorskip"))
    assert imported == ["test_minversion.py", "test_missing.py"], log


def test_decided_top_level_conditions_need_no_import(tmp_path: Path) -> None:
    """A top-level ``if`` on ``sys.version_info`` (directly, through a constant, in an
    ``elif`` chain), on ``TYPE_CHECKING`` or on the platform (``sys.platform``,
    ``os.name``, ``platform.system()``; in the conftest too) or on the implementation
    (``platform.python_implementation()``, ``sys.implementation.name``) runs one
    branch, read from the source (in a class body too); so does one on a flag another
    module's source settles (`from pyflags import PY_3_8_PLUS`, in a test module and
    deciding the conftest's `collect_ignore`). A condition on the micro version or the environment
    is left to pytest's import."""
    root = _case_copy(tmp_path, "static_conditions")
    imported, log = _collect_both(root, "--doctest-modules")
    assert imported == ["test_undecided.py"], log
    # The flags' module is what the conftest and the test module were read by: editing
    # it changes both (the walk, and the cached items of the module).
    flags = root / "pyflags.py"
    flags.write_text(flags.read_text().replace("(3, 99)", "(3, 0)"))
    imported, log = _collect_both(root)
    assert imported == ["test_undecided.py"], log


def test_helpers_defined_under_a_condition_keep_a_file_provable(tmp_path: Path) -> None:
    """`try: from x import Server / except ImportError: class Server(object): ...` and
    plain helper functions under a condition bind values, not tests (dnspython's test
    modules): such files need no import; nor does a conftest's list of lambdas under a
    condition (icalendar's) make every file below it pytest's. A class there with other
    bases (a TestCase under any name), or a test-like name, still does."""
    files = {
        "conftest.py": "try:\n    import nonexistent_tz\nexcept ImportError:\n"
        "    nonexistent_tz = None\n\nif nonexistent_tz is not None:\n"
        "    CONVERTERS = [lambda dt, name: nonexistent_tz.localize(dt, name)]\n"
        "else:\n    CONVERTERS = []\n",
        "test_helpers.py": "import pytest\ntry:\n    from nonexistent_mod import Server\n"
        "    available = True\nexcept ImportError:\n    available = False\n\n"
        "    class Server(object):\n        pass\n\n    def helper():\n        return 1\n\n\n"
        "def test_a():\n    assert not available\n\n\n"
        '@pytest.mark.skipif(not available, reason="no server")\ndef test_b():\n    Server()\n',
        "test_testcase.py": "import unittest\nclass Base(unittest.TestCase):\n"
        "    def test_x(self):\n        pass\ntry:\n    import json\n"
        "    class JsonChecks(Base):\n        pass\nexcept ImportError:\n    pass\n",
        "test_named.py": "try:\n    import json\nexcept ImportError:\n"
        "    def test_fallback():\n        pass\ndef test_c():\n    pass\n",
        "test_base.py": "try:\n    from nonexistent_mod import Server\nexcept ImportError:\n"
        "    class Server:\n        def test_inherited(self):\n            pass\n"
        "class TestS(Server):\n    pass\n",
    }
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    for name, text in files.items():
        (root / name).write_text(text)
    imported, _ = _collect_both(root)
    assert imported == ["test_base.py", "test_named.py", "test_testcase.py"]


_MATCH_OK = '''import pytest

def classify(v):
    match v:
        case {"kind": "point", "at": (x, y)} if x == y:
            return "diagonal"
        case [1, *rest] | (2, *rest):
            return f"seq{len(rest)}"
        case str() | bytes() as s:
            return "text"
        case _:
            return "other"


@pytest.mark.parametrize("v,want", [
    ({"kind": "point", "at": (1, 1)}, "diagonal"),
    ([1, 2, 3], "seq2"),
    ("abc", "text"),
    (3.5, "other"),
])
def test_classify(v, want):
    assert classify(v) == want


class TestMatch:
    def test_method(self):
        match 3:
            case 1 | 2:
                assert False
            case n:
                assert n == 3
'''

#: Files CPython refuses or warns about, or whose tests a `match` defines at import.
_MATCH_DOUBTED = {
    # An irrefutable case before the last: a SyntaxError at import.
    "test_unreachable.py": "def test_u(v=1):\n    match v:\n        case x:\n            pass\n"
    "        case 1:\n            pass\n",
    # Alternatives binding different names.
    "test_alternatives.py": "def test_a(v=1):\n    match v:\n        case [x] | [y]:\n"
    "            pass\n",
    # A duplicate mapping key.
    "test_keys.py": "def test_k(v=1):\n    match v:\n        case {'a': x, \"a\": y}:\n"
    "            pass\n",
    # Tests defined by a module-level `match`.
    "test_toplevel.py": "import sys\nmatch sys.platform:\n    case 'nonexistent':\n"
    "        def test_never():\n            pass\n    case _:\n"
    "        def test_always():\n            pass\n",
}


def test_match_statements_keep_a_file_provable(tmp_path: Path) -> None:
    """Test modules using `match` (PEP 634) need no import when their patterns are
    ones CPython compiles; patterns it refuses (or whose rules this cannot prove) and
    module-level `match` blocks defining tests are still imported, with pytest's
    collection errors and items."""
    import subprocess

    from oracle_harness import child_env, find_pytest, require_fastest

    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_match.py").write_text(_MATCH_OK)
    imported, _ = _collect_both(root)
    assert imported == []
    args = ["-q", "-p", "no:cacheprovider"]
    expected = subprocess.run([*find_pytest(), *args], cwd=root, env=child_env({}),
                              capture_output=True, text=True, timeout=120)
    actual = subprocess.run([*require_fastest(), *args], cwd=root,
                            env=child_env({"NO_COLOR": "1"}),
                            capture_output=True, text=True, timeout=120)
    assert actual.returncode == expected.returncode == 0, (expected.stdout, actual.stdout)
    assert actual.stdout.splitlines()[-1].split(" in ")[0] == "5 passed"

    for name, text in _MATCH_DOUBTED.items():
        (root / name).write_text(text)
    imported, _ = _collect_both(root, rc=2)
    assert imported == sorted(_MATCH_DOUBTED)


_PARAMETRIZE_REFUSED = {
    "test_dup.py": "import pytest\n\n\n@pytest.mark.parametrize('a', [1, 2])\n"
    "@pytest.mark.parametrize('a', [3])\ndef test_dup(a):\n    pass\n",
    "test_dupclass.py": "import pytest\n\n\n@pytest.mark.parametrize('a', [1])\nclass TestX:\n"
    "    @pytest.mark.parametrize('a', [2])\n    def test_m(self, a):\n        pass\n",
    "test_noarg.py": "import pytest\n\n\n@pytest.mark.parametrize('nope', [1])\n"
    "def test_noarg():\n    pass\n",
    "test_default.py": "import pytest\n\n\n@pytest.mark.parametrize('a', [1])\n"
    "def test_default(a=5):\n    pass\n",
    "test_idslen.py": "import pytest\n\n\n@pytest.mark.parametrize('a', [1, 2], ids=['only'])\n"
    "def test_idslen(a):\n    pass\n",
    "test_fixture_idslen.py": "import pytest\n\n\n@pytest.fixture(params=[1, 2], ids=['one'])\n"
    "def f(request):\n    return request.param\n\n\ndef test_f(f):\n    pass\n",
}


def test_parametrizations_pytest_refuses_are_its_collection_errors(tmp_path: Path) -> None:
    """A name parametrized twice (stacked marks, a class's and a method's), a name the
    function does not take (or takes with a default value), and `ids` of another length
    than the values: pytest's `Metafunc.parametrize` refuses them at collection (exit
    2). Discovery leaves such a file to its import, which gives pytest's errors (fastest
    ran the tests before). A name the closure reaches through a fixture stays provable."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef inner():\n    return 0\n\n\n"
        "@pytest.fixture\ndef outer(inner):\n    return inner\n"
    )
    (root / "test_ok.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('inner', [1, 2])\n"
        "def test_through_a_fixture(outer):\n    assert outer in (1, 2)\n"
    )
    imported, _ = _collect_both(root)
    assert imported == []
    for name, text in _PARAMETRIZE_REFUSED.items():
        (root / name).write_text(text)
    imported, _ = _collect_both(root, rc=2)
    assert imported == sorted(_PARAMETRIZE_REFUSED)


def test_module_level_changes_to_a_test_function_need_its_import(tmp_path: Path) -> None:
    """`del test_x`, `test_x.__test__ = False` and any attribute set on a test function
    after its `def` (one of its keywords for `-k`) change what pytest collects or
    selects: such a module is imported (fastest collected the deleted test and ran the
    `__test__ = False` one before, and `-k` missed the attribute)."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_del.py").write_text(
        "def test_kept():\n    pass\n\n\ndef test_deleted():\n    pass\n\n\ndel test_deleted\n"
    )
    (root / "test_dunder.py").write_text(
        "def test_not_a_test():\n    raise AssertionError('never run')\n\n\n"
        "test_not_a_test.__test__ = False\n"
    )
    (root / "test_kwattr.py").write_text(
        "def test_plain():\n    pass\n\n\ndef test_attr():\n    pass\n\n\n"
        "test_attr.specialattr = True\n"
    )
    imported, _ = _collect_both(root)
    assert imported == ["test_del.py", "test_dunder.py", "test_kwattr.py"]
    _collect_both(root, "-k", "specialattr")
    _collect_both(root, "-k", "not specialattr")


def test_a_test_modules_own_pytest_generate_tests_is_honoured(tmp_path: Path) -> None:
    """pytest calls a test module's own `pytest_generate_tests` for each of its
    functions (fastest collected `test_gen` unparametrized before, and its run failed on
    the missing fixture). Guarded by fixture names, the hook leaves a module whose tests
    use none of them to the source; otherwise the module is imported."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_gen.py").write_text(
        "def pytest_generate_tests(metafunc):\n    metafunc.parametrize('v', [1, 2, 3])\n\n\n"
        "def test_gen(v):\n    assert v in (1, 2, 3)\n\n\n"
        "class TestIn:\n    def test_method(self, v):\n        pass\n"
    )
    (root / "test_guarded.py").write_text(
        "def pytest_generate_tests(metafunc):\n    if 'w' in metafunc.fixturenames:\n"
        "        metafunc.parametrize('w', ['a', 'b'])\n\n\n"
        "def test_uses(w):\n    pass\n"
    )
    (root / "test_guard_unused.py").write_text(
        "def pytest_generate_tests(metafunc):\n    if 'w' in metafunc.fixturenames:\n"
        "        metafunc.parametrize('w', ['a', 'b'])\n\n\n"
        "def test_plain():\n    pass\n"
    )
    imported, _ = _collect_both(root)
    assert imported == ["test_gen.py", "test_guarded.py"]
    from oracle_harness import normalise

    runs = _run_both(root)
    assert runs[1].returncode == runs[0].returncode == 0, runs[1].stdout
    assert normalise(runs[1].stdout) == normalise(runs[0].stdout)
    assert "PASSED test_gen.py::TestIn::test_method[3]" in runs[1].stdout


def test_a_module_failing_to_import_alone_is_collected_in_pytests_order(tmp_path: Path) -> None:
    """A module that fails to import on its own (it needs what a module pytest imports
    before it did at import) may import in pytest's collection: `--collect-only` with a
    collection error in the import fallback's partial collection asks pytest's
    collection of the whole session (fastest reported the error before). A module that
    fails anyway is still pytest's error."""
    root = tmp_path / "case"
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    # (Through a helper module it imports: a change discovery does not see, unlike
    # `test_modules_reading_what_an_earlier_modules_import_changed`'s.)
    (root / "tests" / "flag_setter.py").write_text(
        "import builtins\n\nbuiltins.FASTEST_CASE_FLAG = 1\n"
    )
    (root / "tests" / "test_a.py").write_text(
        "import flag_setter  # noqa: F401\n\n\ndef test_a():\n    pass\n"
    )
    (root / "tests" / "test_b.py").write_text(
        "import builtins\n\nif not hasattr(builtins, 'FASTEST_CASE_FLAG'):\n"
        "    raise RuntimeError('test_a was not imported first')\n\n\ndef test_b():\n    pass\n"
    )
    _, log = _collect_both(root)
    assert "pytest collects the whole session" in log, log
    (root / "tests" / "test_c.py").write_text("raise RuntimeError('always')\n\n\ndef test_c():\n    pass\n")
    _collect_both(root, rc=2)


def test_warnings_a_module_or_conftest_raises_as_it_imports_are_collections(tmp_path: Path) -> None:
    """`warnings.warn` run by a conftest's or a test module's import: pytest's collection
    records it, so `--collect-only` has its warnings summary (and fails under an `error`
    filter). Such a file is collected by import (fastest listed no warning before)."""
    root = tmp_path / "case"
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    (root / "tests" / "conftest.py").write_text(
        "import warnings\n\nwarnings.warn('conftest import warning', UserWarning)\n"
    )
    (root / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    (root / "test_m.py").write_text(
        "from warnings import warn\n\nwarn('module import warning')\n\n\ndef test_m():\n    pass\n"
    )
    _collect_both(root)
    _collect_both(root, "test_m.py")
    _collect_both(root, "test_m.py", "-W", "error::UserWarning", rc=2)


def test_modules_reading_what_an_earlier_modules_import_changed(tmp_path: Path) -> None:
    """pytest imports every test module in one process, in collection order: a module
    collected by import may read what an earlier module's import changed (a flag set on
    `sys`, a registry it appends to). The earlier module is collected by import too, in
    the same process and before it (fastest collected and ran the later module as if it
    were imported first: tests went missing, a module-level skip hid a failure)."""
    from oracle_harness import normalise

    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    (root / "registry.py").write_text("CASES = ['base']\n")
    (root / "test_a.py").write_text(
        "import sys\n\nimport registry\n\nsys.FASTEST_CASE_READY = True\n"
        "registry.CASES.append('from_a')\n\n\ndef test_a():\n    pass\n"
    )
    (root / "test_b.py").write_text(
        "import sys\n\nimport pytest\n\nimport registry\n\n"
        "if not getattr(sys, 'FASTEST_CASE_READY', False):\n"
        "    pytest.skip('not ready', allow_module_level=True)\n\n\n"
        "@pytest.mark.parametrize('case', registry.CASES)\n"
        "def test_case(case):\n    assert case != 'from_a'\n"
    )
    imported, _ = _collect_both(root)
    assert imported == ["test_a.py", "test_b.py"]
    runs = _run_both(root)
    assert "FAILED test_b.py::test_case[from_a]" in runs[0].stdout, runs[0].stdout
    assert runs[1].returncode == runs[0].returncode == 1, runs[1].stdout
    assert normalise(runs[1].stdout) == normalise(runs[0].stdout)


def test_helpers_reached_by_relative_imports_must_import_too(tmp_path: Path) -> None:
    """``from . import base`` in a test package reads ``base.py`` as a helper beside the
    tests: one whose own imports cannot resolve (requests-oauthlib's examples import
    selenium there) makes the test module's import fail, pytest's collection error
    (exit 2); the helpers that import fine, through further relative imports too, keep
    their test modules certain."""
    pkg = tmp_path / "tests"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "base.py").write_text("import os\nimport not_installed_anywhere\n")
    (pkg / "fine.py").write_text("import os\nfrom .sub import leaf\n")
    (pkg / "sub" / "leaf.py").write_text("from .. import plain\n")
    (pkg / "plain.py").write_text("import json\n")
    (pkg / "test_broken.py").write_text("from . import base\n\n\ndef test_a():\n    pass\n")
    (pkg / "test_fine.py").write_text("from .fine import leaf\n\n\ndef test_b():\n    pass\n")
    imported, log = _collect_both(tmp_path, rc=2)
    assert imported == ["tests/test_broken.py"], log


@pytest.mark.parametrize("where", ["module", "conftest"])
def test_changes_to_unittests_loader_reorder_later_modules(tmp_path: Path, where: str) -> None:
    """pytest names a TestCase's methods with a fresh `unittest.TestLoader()`: a module
    or conftest that sets `TestLoader.sortTestMethodsUsing` (or `testMethodPrefix`) as
    it is imported changes the order, and even the set, of every TestCase collected
    after it (fastest listed them alphabetically, as an unchanged loader does)."""
    from oracle_harness import normalise

    root = tmp_path / "case"
    (root / "sub").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    change = (
        "import unittest\n\n"
        "unittest.TestLoader.sortTestMethodsUsing = staticmethod(\n"
        "    lambda a, b: (a < b) - (a > b))\n"
        "setattr(unittest.TestLoader, 'testMethodPrefix', 'check')\n"
    )
    case = ("import unittest\n\n\nclass T(unittest.TestCase):\n"
            "    def check_a(self):\n        pass\n\n    def check_b(self):\n        pass\n\n"
            "    def test_c(self):\n        pass\n")
    if where == "module":
        (root / "sub" / "test_a.py").write_text(change + "\n\n" + case)
    else:
        (root / "sub" / "conftest.py").write_text(change)
        (root / "sub" / "test_a.py").write_text(case)
    (root / "test_z.py").write_text(case + "\n\ndef test_plain():\n    pass\n")
    _, log = _collect_both(root)
    assert "changes unittest's TestLoader" in log, log
    runs = _run_both(root)
    assert "PASSED test_z.py::T::check_b" in runs[0].stdout, runs[0].stdout
    assert runs[1].returncode == runs[0].returncode == 0, runs[1].stdout
    assert normalise(runs[1].stdout) == normalise(runs[0].stdout)


def test_classes_and_members_as_higher_scoped_parameters(tmp_path: Path) -> None:
    """A session-scoped fixture parametrized with classes (cattrs' `params=(BaseConverter,
    Converter)` from its own package), enum members and builtins needs no import:
    pytest's `reorder_items` keys such values by identity, which is their definition.
    Names in a conftest's parameters are the conftest's (a test module may import other
    objects under them); one class reached from two conftests is one key, two classes
    with one name in two conftests are two."""
    root = tmp_path / "case"
    for d in ("one", "two"):
        (root / d).mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    (root / "impls.py").write_text(
        "import enum\n\n\nclass Base:\n    pass\n\n\nclass Fast(Base):\n    pass\n\n\n"
        "class Mode(enum.Enum):\n    A = 1\n    B = 2\n"
    )
    (root / "other.py").write_text(
        "import enum\n\n\nclass Mode(str, enum.Enum):\n    A = 'x'\n    B = 'y'\n"
    )
    (root / "conftest.py").write_text(
        "import pytest\nfrom impls import Base, Fast, Mode\n\n\nclass Local:\n    pass\n\n\n"
        "@pytest.fixture(params=(Base, Fast), scope='session')\ndef impl(request):\n"
        "    return request.param\n\n\n"
        "@pytest.fixture(params=[Mode.A, Mode.B, int, Local], scope='session')\n"
        "def mode(request):\n    return request.param\n"
    )
    (root / "one" / "conftest.py").write_text(
        "import pytest\nfrom impls import Fast\n\n\nclass Own:\n    pass\n\n\n"
        "@pytest.fixture(params=[Fast, Own], scope='session')\ndef impl(request):\n"
        "    return request.param\n"
    )
    (root / "two" / "conftest.py").write_text(
        "import pytest\n\n\nclass Own:\n    pass\n\n\n"
        "@pytest.fixture(params=[Own, int], scope='session')\ndef impl(request):\n"
        "    return request.param\n"
    )
    test = ("def test_impl(impl):\n    pass\n\n\ndef test_both(impl, mode):\n    pass\n")
    (root / "test_a.py").write_text("from other import Mode\n\n\n" + test)
    (root / "test_b.py").write_text(test)
    (root / "one" / "test_c.py").write_text(test)
    (root / "two" / "test_d.py").write_text(test)
    imported, _ = _collect_both(root)
    assert imported == []
    from oracle_harness import normalise

    runs = _run_both(root)
    assert "PASSED test_a.py::test_both[Base-Mode.A]" in runs[0].stdout, runs[0].stdout
    assert runs[1].returncode == runs[0].returncode == 0, runs[1].stdout
    assert normalise(runs[1].stdout) == normalise(runs[0].stdout)


def test_modules_reading_files_as_they_import_are_collected_by_import(tmp_path: Path) -> None:
    """A test module that reads a file (or runs a helper script) at import time fails to
    import when it is missing: `--collect-only` shows pytest's collection error, not the
    tests the source defines (omegaconf's sdist lacks the files some of its test modules
    read). A file that is there changes nothing."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "data.yml").write_text("a: 1\n")
    (root / "test_present.py").write_text(
        "from pathlib import Path\n\nDATA = (Path(__file__).parent / 'data.yml').read_text()"
        "\n\n\ndef test_data():\n    assert DATA\n")
    (root / "test_readtext.py").write_text(
        "from pathlib import Path\n\nDATA = (Path(__file__).parent / 'missing.yml').read_text()"
        "\n\n\ndef test_three():\n    pass\n")
    (root / "test_runpy.py").write_text(
        "import runpy\nfrom pathlib import Path\n\n"
        "helpers = runpy.run_path(str(Path(__file__).parent / 'missing_helper.py'))\n\n\n"
        "def test_one():\n    pass\n")
    imported, _ = _collect_both(root, rc=2)
    assert imported == ["test_present.py", "test_readtext.py", "test_runpy.py"]
    (root / "test_readtext.py").unlink()
    (root / "test_runpy.py").unlink()
    imported, _ = _collect_both(root)
    assert imported == ["test_present.py"]


def test_packages_beside_the_tests_must_import_for_a_collection(tmp_path: Path) -> None:
    """A test module importing a package of the project (`from build_helpers import
    release_workflow`, omegaconf's) fails to import when the package's `__init__.py`
    or the submodule imports a module that is not installed: `--collect-only` shows
    pytest's collection error, not the module's tests. A package whose imports resolve
    keeps the module provable."""
    root = tmp_path / "case"
    (root / "helpers").mkdir(parents=True)
    (root / "good").mkdir()
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    (root / "helpers" / "__init__.py").write_text("")
    (root / "helpers" / "release.py").write_text("import not_installed_module_xyz\nX = 1\n")
    (root / "good" / "__init__.py").write_text("from .core import VALUE\n")
    (root / "good" / "core.py").write_text("import json\n\nVALUE = json.dumps(1)\n")
    (root / "test_rel.py").write_text(
        "from helpers import release\n\n\ndef test_x():\n    assert release.X == 1\n")
    (root / "test_dotted.py").write_text(
        "import helpers.release\n\n\ndef test_y():\n    pass\n")
    (root / "test_good.py").write_text(
        "from good import VALUE\nimport good.core\n\n\ndef test_z():\n    assert VALUE\n")
    imported, _ = _collect_both(root, rc=2)
    assert imported == ["test_dotted.py", "test_rel.py"]


def test_helpers_warning_or_reading_files_as_they_import(tmp_path: Path) -> None:
    """A helper module beside the tests that warns as it is imported (an error under
    `filterwarnings = error`, a line of the warnings summary otherwise) or reads a file
    that is missing: pytest's collection of the test module importing it shows that, so
    `--collect-only` collects such test modules by import (fastest listed their tests).
    A helper doing neither keeps its test modules certain."""
    root = tmp_path / "case"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    (root / "helper_warns.py").write_text(
        "import warnings\n\nwarnings.warn('old api used', DeprecationWarning)\nVALUE = 1\n")
    (root / "helper_reads.py").write_text("DATA = open('missing-data.json').read()\n")
    (root / "helper_plain.py").write_text("VALUE = 2\n")
    (root / "test_warns.py").write_text(
        "import helper_warns\n\n\ndef test_w():\n    assert helper_warns.VALUE\n")
    (root / "test_reads.py").write_text(
        "import helper_reads\n\n\ndef test_r():\n    pass\n")
    (root / "test_plain.py").write_text(
        "import helper_plain\n\n\ndef test_p():\n    assert helper_plain.VALUE\n")
    imported, _ = _collect_both(root, rc=2)
    assert imported == ["test_reads.py", "test_warns.py"]
    (root / "pytest.ini").write_text("[pytest]\n")
    imported, _ = _collect_both(root, rc=2)
    assert imported == ["test_reads.py", "test_warns.py"]


def test_helpers_importing_each_other_are_recorded_once(tmp_path: Path) -> None:
    """A package beside the tests whose modules import each other (elementpath's): each
    helper is a dependency of the test module once, however many import paths reach it.
    fastest recorded it once per path (2^n for n modules each importing all before it:
    a discovery cache of 889 MB for elementpath's 29 test files, 20 s per collection)."""
    root = tmp_path / "case"
    (root / "pkg").mkdir(parents=True)
    n = 16
    (root / "pkg" / "__init__.py").write_text(f"from pkg import m{n - 1}\n")
    for i in range(n):
        text = "".join(f"from pkg import m{j}\n" for j in range(i)) + f"X{i} = {i}\n"
        (root / "pkg" / f"m{i}.py").write_text(text)
    (root / "test_a.py").write_text("import pkg\n\n\ndef test_a():\n    assert pkg\n")
    imported, _ = _collect_both(root)
    assert imported == []
    cache = root / ".fastest_cache" / "discovery-v2.bin"
    # 16 helpers' paths: a few KB (3.2 MB when each path through the graph counted).
    assert cache.stat().st_size < 64 * 1024, cache.stat().st_size


def test_doctests_of_conftests_in_two_directories(tmp_path: Path) -> None:
    """`--doctest-modules` with a conftest at the rootdir and one in `docs/` (pyquery's
    layout): both import as module `conftest`, but pytest reaches each file right after
    loading it as its directory's conftest, so neither clashes and each one's doctests
    run. fastest reported an import mismatch for the first and ran nothing; then found
    no doctest in it (doctest's finder asks `sys.modules` for the module)."""
    from oracle_harness import normalise

    root = tmp_path / "case"
    (root / "docs").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\naddopts = --doctest-modules\n")
    conftest = ('import pytest\n\n\ndef helper():\n    """\n    >>> helper()\n    {n}\n'
                '    """\n    return {n}\n\n\n@pytest.fixture\ndef {name}():\n    return {n}\n')
    (root / "conftest.py").write_text(conftest.format(n=1, name="root_fixt"))
    (root / "docs" / "conftest.py").write_text(conftest.format(n=2, name="docs_fixt"))
    (root / "test_a.py").write_text("def test_a(root_fixt):\n    assert root_fixt == 1\n")
    (root / "docs" / "test_b.py").write_text(
        "def test_b(docs_fixt):\n    assert docs_fixt == 2\n")
    imported, _ = _collect_both(root)
    assert imported == []
    runs = _run_both(root)
    assert "PASSED conftest.py::conftest.helper" in runs[0].stdout, runs[0].stdout
    assert runs[1].returncode == runs[0].returncode == 0, runs[1].stdout
    assert normalise(runs[1].stdout) == normalise(runs[0].stdout)


def test_a_helper_checked_by_several_threads_at_once(tmp_path: Path) -> None:
    """Discovery checks files in parallel; a helper module one of them was still
    checking (its imports do not resolve) answered another thread's check as fine, so
    now and then some of the files importing it were listed where pytest reports their
    import errors (python-pptx without pyparsing). Many files, several cold runs: every
    one must be pytest's."""
    import shutil

    root = tmp_path / "case"
    (root / "tests" / "sub").mkdir(parents=True)
    (root / "tests" / "util").mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    for init in ("tests", "tests/sub", "tests/util"):
        (root / init / "__init__.py").write_text("")
    (root / "tests" / "util" / "helper.py").write_text(
        "from not_installed_xyz import Word\n\n\ndef thing():\n    return Word\n")
    for i in range(48):
        (root / "tests" / "sub" / f"test_r{i}.py").write_text(
            f"from ..util.helper import thing\n\n\ndef test_{i}():\n    assert thing\n")
    for _ in range(3):
        shutil.rmtree(root / ".fastest_cache", ignore_errors=True)
        imported, _ = _collect_both(root, rc=2)
        assert len(imported) == 48
