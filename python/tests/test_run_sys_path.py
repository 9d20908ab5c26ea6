"""The head of ``sys.path`` as pytest started the same way has it.

The ``fastest`` console script stands for the ``pytest`` one (its own directory first,
the current one absent); ``python -m fastest`` stands for ``python -m pytest``, which
puts the current directory first, so a flat project's package (``pkg/`` beside a
``tests/`` directory without ``__init__.py``) imports there without being installed.
Workers, the import fallback and a pytest fastest hands the session to all follow the
coordinator (``FASTEST_PATH0``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oracle_harness import find_pytest, require_fastest


def _project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("def double(x):\n    return 2 * x\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_pkg.py").write_text(
        "import sys\n\nfrom pkg import double\n\n\n"
        "def test_double():\n    assert double(2) == 4\n\n\n"
        "def test_head():\n    print('HEAD', sys.path[:2])\n    assert 0\n"
    )
    (root / "pytest.ini").write_text("[pytest]\n")
    return root


def _run(cmd, root: Path, *args: str, log: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))}
    env.update({"COLUMNS": "80", "NO_COLOR": "1"})
    if log:
        env["FASTEST_LOG"] = log
    return subprocess.run([*cmd, "-p", "no:cacheprovider", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def _module_form(script: list) -> list:
    # `python -m NAME` with the interpreter the console script belongs to.
    name = Path(script[0]).name
    python = Path(script[0]).with_name("python")
    return [str(python if python.exists() else sys.executable), "-m", name]


@pytest.mark.parametrize("args", [(), ("-n", "2"), ("--collect-only", "-q"), ("--setup-plan",)],
                         ids=["serial", "n2", "collect", "delegated"])
def test_python_m_fastest_has_the_current_directory_first(tmp_path: Path, args) -> None:
    root = _project(tmp_path / "proj")
    fastest = require_fastest()
    if Path(fastest[0]).name != "fastest":
        pytest.skip("FASTEST_BIN is not the console script")
    # pytest-xdist is not where this suite runs: `-n 2`'s answer is the serial one.
    expected = _run(_module_form(find_pytest()), root, "-rA", *(a for a in args if a not in ("-n", "2")))
    actual = _run(_module_form(fastest), root, "-rA", *args)
    assert actual.returncode == expected.returncode, actual.stdout + actual.stderr
    final = lambda out: out.splitlines()[-1].strip("= ").split(" in ")[0]  # noqa: E731
    assert final(actual.stdout) == final(expected.stdout)
    if args in ((), ("-n", "2")):
        assert final(actual.stdout) == "1 failed, 1 passed"
        # The test saw the current directory first (after its rootdir's insertion), as
        # under `python -m pytest`.
        heads = lambda out: [l for l in out.splitlines() if l.startswith("HEAD ")]  # noqa: E731
        assert heads(actual.stdout) == heads(expected.stdout) == [
            f"HEAD {[str(root / 'tests'), str(root)]}"
        ]


@pytest.mark.parametrize("mode", ["prepend", "importlib"])
def test_python_m_fastest_proves_imports_from_the_current_directory(tmp_path: Path, mode) -> None:
    # The current directory is the workers' first `sys.path` entry under `python -m`:
    # discovery resolves the package there too, so the module needs no import to be
    # collected (it was collected twice, by the import fallback and by the worker).
    root = _project(tmp_path / "proj")
    fastest = require_fastest()
    if Path(fastest[0]).name != "fastest":
        pytest.skip("FASTEST_BIN is not the console script")
    args = ("--collect-only", "-q", f"--import-mode={mode}")
    expected = _run(_module_form(find_pytest()), root, *args)
    actual = subprocess.run(
        [*_module_form(fastest), "-p", "no:cacheprovider", *args], cwd=root,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FASTEST_"))},
             "NO_COLOR": "1", "FASTEST_LOG": "fastest_cli=debug"},
        capture_output=True, text=True, timeout=120)
    assert actual.returncode == expected.returncode == 0, actual.stdout + actual.stderr
    strip = lambda out: [l for l in out.splitlines() if " collected in " not in l]  # noqa: E731
    assert strip(actual.stdout) == strip(expected.stdout)
    assert "collected by import" not in actual.stderr, actual.stderr


def test_the_console_script_has_what_the_pytest_script_has(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    expected = _run(find_pytest(), root, "-q")
    actual = _run(require_fastest(), root, "-q")
    assert actual.returncode == expected.returncode == 2, actual.stdout + actual.stderr
    assert "ModuleNotFoundError: No module named 'pkg'" in actual.stdout


@pytest.mark.parametrize("args", [(), ("--setup-show",)], ids=["worker", "delegated"])
@pytest.mark.parametrize("form", ["script", "module"])
def test_tests_see_sys_argv_and_main_as_under_pytest(tmp_path: Path, form: str, args) -> None:
    """`sys.argv` is the script that started the run (the `pytest` script, or
    `pytest/__main__.py` under `python -m`) then the command line, and `__main__` has
    that `__file__` (anyio's `to_process` finds the program by it), loader and spec (its
    repr), not a worker's `python -c` view (whose repr warns on Python 3.11)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "test_main.py").write_text(
        "import os\nimport sys\n\n\ndef test_main():\n"
        "    main = getattr(sys.modules['__main__'], '__file__', None)\n"
        "    tail = main and main.split(os.sep)[-2:]\n"
        "    print('ARGV', os.path.basename(sys.argv[0]), sys.argv[1:], tail)\n"
        "    shown = repr(sys.modules['__main__']).replace(os.path.dirname(main or ''), '<dir>')\n"
        "    print('ARGV repr', shown, type(sys.modules['__main__'].__loader__).__name__)\n"
        "    assert 0\n"
    )
    fastest = require_fastest()
    if Path(fastest[0]).name != "fastest":
        pytest.skip("FASTEST_BIN is not the console script")
    pytest_cmd = find_pytest()
    if form == "module":
        pytest_cmd, fastest = _module_form(pytest_cmd), _module_form(fastest)
    lines = lambda out: [l for l in out.splitlines() if l.startswith("ARGV ")]  # noqa: E731
    expected = _run(pytest_cmd, root, "-rA", "-k", "main", *args)
    actual = _run(fastest, root, "-rA", "-k", "main", *args)
    assert lines(actual.stdout) == lines(expected.stdout) != [], actual.stdout


@pytest.mark.parametrize("args", [(), ("--setup-show",)], ids=["worker", "delegated"])
def test_tests_see_sys_executable_as_it_was_given(tmp_path: Path, args) -> None:
    """An interpreter started by a relative path keeps it, unnormalised, in
    `sys.executable` (the `-v` header shows it): the workers and a session handed to
    pytest have the coordinator's, not the normalised path they were started by."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pytest.ini").write_text("[pytest]\n")
    # And the environment in its order (none of it passed to them as a changed
    # environment, which a process gets sorted).
    (root / "test_exe.py").write_text(
        "import os, sys\n\n\ndef test_exe():\n    print('EXE', sys.executable)\n"
        "    print('ENV', [k for k in os.environ if not k.startswith('PYTEST_')])\n    assert 0\n"
    )
    fastest = require_fastest()
    if Path(fastest[0]).name != "fastest":
        pytest.skip("FASTEST_BIN is not the console script")
    module = _module_form(fastest)
    # `../<root's name>/../<the interpreter>`: a path whose `..` the interpreter keeps.
    given = os.path.join("..", root.name, os.path.relpath(module[0], root))
    assert ".." in given
    lines = lambda out: [l for l in out.splitlines() if l.startswith(("EXE ", "ENV "))]  # noqa: E731
    expected = _run([given, "-m", "pytest"], root, "-rA", *args)
    actual = _run([given, "-m", "fastest"], root, "-rA", *args)
    assert lines(actual.stdout) == lines(expected.stdout) != [], actual.stdout + actual.stderr
    assert lines(expected.stdout)[0].startswith(f"EXE {root}{os.sep}..")


def _egg_plugin(root: Path, project: str, version: str, entry: str, module: str, src: str) -> None:
    """A plugin registered by an `*.egg-info` in `root` (on `sys.path` under `python -m`):
    its `pytest11` entry point `entry` loads `module`, whose source is `src`."""
    info = root / f"{module}.egg-info"
    info.mkdir(parents=True)
    (info / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[pytest11]\n{entry} = {module}\n")
    (root / f"{module}.py").write_text(src)


def _both_native(root: Path, *args: str) -> tuple:
    """pytest's and fastest's run of `root` (`python -m`), fastest's session native."""
    fastest = require_fastest()
    if Path(fastest[0]).name != "fastest":
        pytest.skip("FASTEST_BIN is not the console script")
    expected = _run(_module_form(find_pytest()), root, *args)
    actual = _run(_module_form(fastest), root, *args, log="info")
    assert "pytest runs this session" not in actual.stderr, actual.stderr
    assert "running pytest itself" not in actual.stderr, actual.stderr
    return expected, actual


def _summary(out: str) -> list:
    starts = ("PASSED", "FAILED", "SUBPASS", "SUBFAIL", "plugins:")
    return [l for l in out.splitlines() if l.startswith(starts)]


def test_a_plugin_registered_by_egg_info_loads_as_under_pytest(tmp_path: Path) -> None:
    # A source tree's own `*.egg-info` (legacy `setup.py develop`, requests-mock's sdist)
    # registers its `pytest11` entry point for whoever has the directory on `sys.path`:
    # under `python -m`, the current one. Its fixture is there, and the header names it
    # first, in importlib.metadata's order.
    root = tmp_path / "proj"
    _egg_plugin(root, "myplug", "0.1", "myplug", "myplug",
                "import pytest\n\n\n@pytest.fixture\ndef myfix():\n    return 42\n")
    (root / "test_it.py").write_text("def test_uses_plugin_fixture(myfix):\n    assert myfix == 42\n")
    fastest = require_fastest()
    if Path(fastest[0]).name != "fastest":
        pytest.skip("FASTEST_BIN is not the console script")
    expected = _run(_module_form(find_pytest()), root)
    actual = _run(_module_form(fastest), root)
    assert actual.returncode == expected.returncode == 0, actual.stdout + actual.stderr
    plugins = lambda out: [l for l in out.splitlines() if l.startswith("plugins:")]  # noqa: E731
    assert plugins(actual.stdout) == plugins(expected.stdout)
    assert plugins(actual.stdout)[0].startswith("plugins: myplug-0.1"), actual.stdout


def test_a_plugin_named_as_a_pytest_plugin_is_never_loaded(tmp_path: Path) -> None:
    # pluggy skips an entry point named as a plugin already registered: pytest-subtests'
    # `subtests`, now one of pytest's own plugins, never loads under pytest 9 (celery's
    # test requirements still install it). Not a plugin to fastest either: the header
    # names no plugin, and the session stays native.
    root = tmp_path / "proj"
    _egg_plugin(root, "pytest-subtests", "0.15.0", "subtests", "fake_subtests_plugin",
                "raise RuntimeError('never loaded')\n")
    (root / "test_it.py").write_text(
        "def test_subtests(subtests):\n"
        "    for i in range(2):\n"
        "        with subtests.test(i=i):\n"
        "            assert i < 1\n\n\n"
        "def test_plain():\n    pass\n"
    )
    expected, actual = _both_native(root, "-rA")
    assert actual.returncode == expected.returncode == 1, actual.stdout + actual.stderr
    assert "plugins:" not in expected.stdout
    assert _summary(actual.stdout) == _summary(expected.stdout) != [], actual.stdout
    assert actual.stdout.splitlines()[-1].split(" in ")[0] == expected.stdout.splitlines()[-1].split(" in ")[0]


def test_a_plugin_typed_with_pytests_private_classes_stays_native(tmp_path: Path) -> None:
    # pytest-click's way: `from _pytest.fixtures import SubRequest` for its fixtures'
    # annotations, a marker registered in `pytest_configure`. Types do nothing at run
    # time: the plugin is only fixtures, and the session stays native.
    root = tmp_path / "proj"
    _egg_plugin(
        root, "pytest-clickish", "1.1.0", "clickish", "clickish",
        "import pytest\nfrom _pytest.config import Config\nfrom _pytest.fixtures import SubRequest\n\n\n"
        "def pytest_configure(config: Config) -> None:\n"
        "    config.addinivalue_line('markers', 'runner_setup(**kw): runner arguments')\n\n\n"
        "@pytest.fixture\n"
        "def runner(request: SubRequest) -> dict:\n"
        "    marker = request.node.get_closest_marker('runner_setup')\n"
        "    return dict(marker.kwargs) if marker else {}\n",
    )
    (root / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    (root / "test_it.py").write_text(
        "import pytest\n\n\n"
        "@pytest.mark.runner_setup(charset='cp1251')\n"
        "def test_marked(runner):\n    assert runner == {'charset': 'cp1251'}\n\n\n"
        "def test_plain(runner):\n    assert runner == {'x': 1}\n"
    )
    expected, actual = _both_native(root, "-rA")
    assert actual.returncode == expected.returncode == 1, actual.stdout + actual.stderr
    assert "plugins: clickish-1.1.0" in expected.stdout
    assert _summary(actual.stdout) == _summary(expected.stdout) != [], actual.stdout
