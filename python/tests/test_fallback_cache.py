"""The import fallback's cache: a warm run whose uncertain files and everything they
imported are unchanged answers without starting pytest; any change re-runs it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HIT = "import fallback answered from the cache"


def _fastest() -> str:
    env = os.environ.get("FASTEST_BIN")
    if env:
        return env
    exe = Path(sys.executable).parent / "fastest"
    return str(exe) if exe.exists() else (shutil.which("fastest") or "fastest")


def _run(root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["FASTEST_LOG"] = "fastest_cli=debug"
    return subprocess.run(
        [_fastest(), "--collect-only", "-q"], cwd=root, env=env, capture_output=True, text=True
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "helpers.py").write_text("CASES = [1, 2, 3]\n")
    # A value computed at import time: only an import can tell the ids.
    (tmp_path / "test_dyn.py").write_text(
        "import pytest\nfrom helpers import CASES\n\n"
        "@pytest.mark.parametrize('n', [c * 2 for c in CASES])\ndef test_n(n):\n    pass\n"
    )
    (tmp_path / "test_static.py").write_text("def test_plain():\n    pass\n")
    return tmp_path


def test_unchanged_files_are_answered_from_the_cache(project: Path) -> None:
    first = _run(project)
    assert first.returncode == 0, first.stderr
    assert "test_dyn.py::test_n[2]" in first.stdout
    assert HIT not in first.stderr
    second = _run(project)
    # Identical but for the duration on the last line.
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]
    assert HIT in second.stderr


def test_a_changed_import_invalidates_the_cache(project: Path) -> None:
    assert _run(project).returncode == 0
    (project / "helpers.py").write_text("CASES = [5]\n")
    # Make sure the mtime moves even on coarse filesystems.
    os.utime(project / "helpers.py", ns=(0, 10**18))
    third = _run(project)
    assert HIT not in third.stderr
    assert "test_dyn.py::test_n[10]" in third.stdout
    assert "test_dyn.py::test_n[2]" not in third.stdout


def test_a_new_conftest_invalidates_the_cache(project: Path) -> None:
    assert _run(project).returncode == 0
    (project / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef extra():\n    return 1\n")
    fourth = _run(project)
    assert HIT not in fourth.stderr


@pytest.fixture
def hooked(tmp_path: Path) -> Path:
    """A conftest hook that changes the whole session's collection: pytest collects all
    of it (deselecting by an environment variable)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import os\n\n"
        "def pytest_collection_modifyitems(config, items):\n"
        "    drop = os.environ.get('DROP_TESTS', '')\n"
        "    if drop:\n"
        "        items[:] = [i for i in items if drop not in i.name]\n"
    )
    (tmp_path / "test_a.py").write_text("def test_one():\n    pass\n\ndef test_two():\n    pass\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "test_b.py").write_text("def test_three():\n    pass\n")
    return tmp_path


def _ids(res: subprocess.CompletedProcess) -> list:
    return [l for l in res.stdout.splitlines() if "::" in l]


def test_a_whole_session_collection_is_cached_until_the_tree_changes(hooked: Path) -> None:
    first = _run(hooked)
    assert first.returncode == 0, first.stderr
    assert HIT not in first.stderr
    second = _run(hooked)
    assert HIT in second.stderr
    assert _ids(second) == _ids(first)
    # A new file in a directory that already held tests (the directory's mtime moves).
    (hooked / "sub" / "test_c.py").write_text("def test_four():\n    pass\n")
    os.utime(hooked / "sub", ns=(0, 10**18))
    third = _run(hooked)
    assert HIT not in third.stderr
    assert "sub/test_c.py::test_four" in _ids(third)
    # A new test directory.
    (hooked / "more").mkdir()
    (hooked / "more" / "test_d.py").write_text("def test_five():\n    pass\n")
    os.utime(hooked, ns=(0, 2 * 10**18))
    fourth = _run(hooked)
    assert HIT not in fourth.stderr
    assert "more/test_d.py::test_five" in _ids(fourth)


def test_a_scratch_file_a_test_wrote_and_removed_keeps_the_cache(hooked: Path) -> None:
    """What pytest finds in a directory is its entries, not its mtime: a test that
    writes and removes a file there (pygments' do) leaves the answer as it was."""
    assert _run(hooked).returncode == 0
    scratch = hooked / "sub" / "scratch.out"
    scratch.write_text("x")
    scratch.unlink()
    os.utime(hooked / "sub", ns=(0, 3 * 10**18))
    again = _run(hooked)
    assert HIT in again.stderr, again.stderr


def test_a_whole_session_collection_depends_on_the_environment(hooked: Path) -> None:
    assert _run(hooked).returncode == 0
    os.environ["DROP_TESTS"] = "two"
    try:
        res = _run(hooked)
    finally:
        del os.environ["DROP_TESTS"]
    assert HIT not in res.stderr
    assert "test_a.py::test_two" not in _ids(res)
    assert "test_a.py::test_one" in _ids(res)


def test_an_ignore_collect_hook_is_cached_with_the_directories_pytest_entered(tmp_path: Path) -> None:
    """`pytest_ignore_collect` decides from paths: its session's collection is cached,
    and depends on every directory pytest looked into, also one the hook took back from
    `norecursedirs` (fastest's walk does not enter it)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nnorecursedirs = kept\n")
    (tmp_path / "conftest.py").write_text(
        "def pytest_ignore_collect(collection_path, config):\n"
        "    if collection_path.name.endswith('_py2.py'):\n"
        "        return True\n"
        "    return False\n"
    )
    (tmp_path / "test_a.py").write_text("def test_one():\n    pass\n")
    (tmp_path / "test_old_py2.py").write_text("def test_old():\n    pass\n")
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "test_k.py").write_text("def test_k():\n    pass\n")
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    assert _ids(first) == ["kept/test_k.py::test_k", "test_a.py::test_one"]
    second = _run(tmp_path)
    assert HIT in second.stderr
    assert _ids(second) == _ids(first)
    (tmp_path / "kept" / "test_new.py").write_text("def test_new():\n    pass\n")
    os.utime(tmp_path / "kept", ns=(0, 10**18))
    third = _run(tmp_path)
    assert HIT not in third.stderr
    assert "kept/test_new.py::test_new" in _ids(third)


def test_a_collect_file_hook_is_cached_with_the_files_it_read(tmp_path: Path) -> None:
    """A conftest's `pytest_collect_file` makes items of a data file's lines, and reads
    a list kept where pytest does not collect: a change to either re-runs pytest's
    collection, even when no directory's entries change."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nnorecursedirs = data\n")
    (tmp_path / "conftest.py").write_text(
        "import pathlib\n"
        "import pytest\n\n"
        "EXTRA = pathlib.Path(__file__).parent / 'data' / 'extra.txt'\n\n"
        "class Line(pytest.Item):\n"
        "    def runtest(self):\n"
        "        pass\n\n"
        "class Lines(pytest.File):\n"
        "    def collect(self):\n"
        "        names = self.path.read_text().split() + EXTRA.read_text().split()\n"
        "        for name in names:\n"
        "            yield Line.from_parent(self, name=name)\n\n"
        "def pytest_collect_file(file_path, parent):\n"
        "    if file_path.suffix == '.cases':\n"
        "        return Lines.from_parent(parent, path=file_path)\n"
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "extra.txt").write_text("extra\n")
    (tmp_path / "some.cases").write_text("alpha\n")
    (tmp_path / "test_a.py").write_text("def test_one():\n    pass\n")
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    assert _ids(first) == ["some.cases::alpha", "some.cases::extra", "test_a.py::test_one"]
    second = _run(tmp_path)
    assert HIT in second.stderr
    assert _ids(second) == _ids(first)
    (tmp_path / "some.cases").write_text("beta\n")
    os.utime(tmp_path / "some.cases", ns=(0, 10**18))
    third = _run(tmp_path)
    assert HIT not in third.stderr
    assert "some.cases::beta" in _ids(third)
    (tmp_path / "data" / "extra.txt").write_text("other\n")
    os.utime(tmp_path / "data" / "extra.txt", ns=(0, 10**18))
    fourth = _run(tmp_path)
    assert HIT not in fourth.stderr
    assert "some.cases::other" in _ids(fourth)


def test_a_data_file_read_outside_the_rootdir_is_a_dependency(tmp_path: Path) -> None:
    """A test module parametrizing over a JSON file kept outside the project (jedi's
    survey found the old cases served): the file is one of the answer's inputs."""
    root = tmp_path / "proj"
    root.mkdir()
    data = tmp_path / "elsewhere" / "cases.json"
    data.parent.mkdir()
    data.write_text("[1, 2]")
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_d.py").write_text(
        "import json\nimport pytest\n\n"
        f"@pytest.mark.parametrize('n', json.load(open({str(data)!r})))\n"
        "def test_d(n):\n    pass\n"
    )
    first = _run(root)
    assert _ids(first) == ["test_d.py::test_d[1]", "test_d.py::test_d[2]"], first.stdout
    assert HIT in _run(root).stderr
    data.write_text("[1, 2, 3]")
    os.utime(data, ns=(0, 10**18))
    third = _run(root)
    assert HIT not in third.stderr
    assert _ids(third) == [f"test_d.py::test_d[{i}]" for i in (1, 2, 3)], third.stdout


def test_the_hash_seed_keys_a_collection_over_a_set(tmp_path: Path) -> None:
    """A parametrization over a set of strings is in the set's iteration order, which
    `PYTHONHASHSEED` fixes: a run with another seed does not take the cached order."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_set.py").write_text(
        "import pytest\n\nNAMES = {f'name{i}' for i in range(30)}\n\n"
        "@pytest.mark.parametrize('n', NAMES)\ndef test_n(n):\n    pass\n"
    )

    def ids(seed: str) -> list:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env["PYTHONHASHSEED"] = seed
        out = subprocess.run(
            [_fastest(), "--collect-only", "-q"], cwd=tmp_path, env=env,
            capture_output=True, text=True,
        ).stdout
        return [line for line in out.splitlines() if "::" in line]

    def order(seed: str) -> list:
        names = subprocess.run(
            [sys.executable, "-c", "print(*{f'name{i}' for i in range(30)})"],
            env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
        ).stdout.split()
        return [f"test_set.py::test_n[{n}]" for n in names]

    assert order("1") != order("2")
    assert ids("1") == order("1")
    assert ids("2") == order("2")
    assert ids("1") == order("1")


def test_a_plugin_module_outside_the_rootdir_is_a_dependency(tmp_path: Path) -> None:
    # A `-p` plugin found on PYTHONPATH, outside the project: editing it must re-run
    # pytest's collection, whose hook it changes.
    root = tmp_path / "proj"
    plugins = tmp_path / "plugins"
    root.mkdir()
    plugins.mkdir()
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p outside_plugin\n")
    (root / "test_x.py").write_text("def test_a():\n    pass\n\n\ndef test_b():\n    pass\n")
    plugin = plugins / "outside_plugin.py"
    plugin.write_text(
        "def pytest_collection_modifyitems(items):\n"
        "    items[:] = [i for i in items if i.name != 'test_b']\n"
    )
    env = {**os.environ, "PYTHONPATH": str(plugins)}
    env = {k: v for k, v in env.items() if not k.startswith("PYTEST_")}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([_fastest(), "--collect-only", "-q"], cwd=root, env=env,
                              capture_output=True, text=True)

    first = run()
    assert "test_x.py::test_b" not in first.stdout, first.stdout + first.stderr
    plugin.write_text("def pytest_collection_modifyitems(items):\n    pass\n")
    os.utime(plugin, ns=(0, 10**18))
    second = run()
    assert "test_x.py::test_b" in second.stdout, second.stdout + second.stderr


def test_an_answer_with_a_collection_error_is_cached_until_the_module_appears(
    tmp_path: Path,
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_dyn.py").write_text(
        "import pytest\nimport not_there_yet\n\n"
        "@pytest.mark.parametrize('n', [c * 2 for c in not_there_yet.CASES])\n"
        "def test_n(n):\n    pass\n"
    )
    first = _run(tmp_path)
    assert first.returncode == 2, first.stdout + first.stderr
    assert "No module named 'not_there_yet'" in first.stdout
    assert HIT not in first.stderr
    second = _run(tmp_path)
    assert second.returncode == 2
    assert HIT in second.stderr
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]
    # The missing module appears on sys.path (the rootdir, where pytest's prepend
    # import mode finds it).
    (tmp_path / "not_there_yet.py").write_text("CASES = [1, 2]\n")
    third = _run(tmp_path)
    assert HIT not in third.stderr
    assert third.returncode == 0, third.stdout + third.stderr
    assert "test_dyn.py::test_n[4]" in third.stdout


def test_an_answer_with_a_collection_error_follows_the_environment(tmp_path: Path) -> None:
    """A module that fails at import unless a variable is set: pytest imports it again
    on every run, and so does the fallback (only a module that did not import, its
    dependency missing, is answered from the cache: see the test above)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_env.py").write_text(
        "import os\nimport pytest\n\nif not os.environ.get('FLAG_FOR_TEST'):\n"
        "    raise RuntimeError('set FLAG_FOR_TEST')\n\n"
        "@pytest.mark.parametrize('n', [len(os.environ['FLAG_FOR_TEST'])])\n"
        "def test_n(n):\n    pass\n"
    )
    os.environ.pop("FLAG_FOR_TEST", None)
    assert _run(tmp_path).returncode == 2
    second = _run(tmp_path)
    assert second.returncode == 2 and HIT not in second.stderr
    os.environ["FLAG_FOR_TEST"] = "abc"
    try:
        third = _run(tmp_path)
    finally:
        del os.environ["FLAG_FOR_TEST"]
    assert third.returncode == 0, third.stdout + third.stderr
    assert "test_env.py::test_n[3]" in third.stdout
    assert HIT not in third.stderr


def test_a_parametrization_over_a_variable_follows_the_environment(tmp_path: Path) -> None:
    """A conftest's ``pytest_generate_tests`` parametrizing over an environment variable
    (jedi's survey found the earlier answer served): a new value is a new collection,
    and the same value again is answered from the cache."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "import os\n\n\ndef pytest_generate_tests(metafunc):\n"
        "    if 'n' in metafunc.fixturenames:\n"
        "        metafunc.parametrize('n', range(int(os.environ.get('NCASES_FOR_TEST', '2'))))\n"
    )
    (tmp_path / "test_a.py").write_text("def test_x(n):\n    pass\n")
    os.environ.pop("NCASES_FOR_TEST", None)
    first = _run(tmp_path)
    assert _ids(first) == ["test_a.py::test_x[0]", "test_a.py::test_x[1]"], first.stdout
    os.environ["NCASES_FOR_TEST"] = "3"
    try:
        second = _run(tmp_path)
        third = _run(tmp_path)
    finally:
        del os.environ["NCASES_FOR_TEST"]
    assert HIT not in second.stderr
    assert _ids(second) == [f"test_a.py::test_x[{i}]" for i in range(3)], second.stdout
    assert HIT in third.stderr
    assert _ids(third) == _ids(second)


def test_a_parametrization_that_changes_per_import_is_never_answered_from_the_cache(
    tmp_path: Path,
) -> None:
    """marshmallow parametrizes with ``datetime.now()``: pytest's ID is each run's own.
    The worker that runs the test imports the module again and finds other values than
    the import fallback's; from then on that module's collection is never answered from
    the cache (it would report an earlier run's ID)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_dyn.py").write_text(
        "import time\nimport pytest\n\n"
        "@pytest.mark.parametrize('v', [str(time.time_ns())])\ndef test_v(v):\n    pass\n"
    )
    (tmp_path / "test_static.py").write_text("def test_plain():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["FASTEST_LOG"] = "fastest_cli=debug"

    def run() -> tuple[str, str]:
        done = subprocess.run([_fastest(), "-q", "-rA"], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        ids = [line.split()[1] for line in done.stdout.splitlines()
               if line.startswith("PASSED test_dyn.py")]
        assert len(ids) == 1, done.stdout
        return ids[0], done.stderr

    first, _ = run()
    second, log = run()
    assert HIT not in log, log
    assert "volatile" in log, log
    assert second != first
    third, log = run()
    assert HIT not in log, log
    assert third not in (first, second)
