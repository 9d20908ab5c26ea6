"""Tests for ``fastest._collect``, the import-based collection worker.

Each test builds a small project in ``tmp_path``, runs the worker as a
subprocess (``python -m fastest._collect REQUEST.json``) and compares its JSON
result with what the real ``pytest`` console script prints for the same
arguments: node ids (``--co -q``), the collection tree, the ERRORS section, the
warnings summary, the short test summary, the "collected" and final lines,
``-k``/``-m`` selections and exit codes. The expected text is rebuilt from the
result the way the Rust side must rebuild it, so these tests also pin down the
protocol.
"""

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
WIDTH = 80
DOCS_LINE = "-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html"


# --------------------------------------------------------------------------
# running things


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for k in ("PY_COLORS", "FORCE_COLOR", "NO_COLOR", "CI", "BUILD_NUMBER", "PYTHONSAFEPATH"):
        env.pop(k, None)
    env["COLUMNS"] = str(WIDTH)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH", ""), str(PYTHON_DIR)) if p)
    return env


def _pytest_cmd():
    """The ``pytest`` console script next to this interpreter: the sys.path oracle."""
    script = Path(sys.executable).parent / "pytest"
    if script.exists():
        return [str(script)]
    # Same sys.path as the script would give (its bin dir instead of the cwd).
    code = (
        "import sys; sys.path[0] = %r; from _pytest.config import _main; sys.exit(_main(prog='pytest'))"
        % str(Path(sys.executable).parent)
    )
    return [sys.executable, "-c", code]


def run_pytest(cwd, *args):
    proc = subprocess.run(
        [*_pytest_cmd(), "--collect-only", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return proc


def run_worker(tmp_path, cwd, pytest_args=(), paths=(), name="result.json", request=None, python_flags=()):
    out = tmp_path / "worker-out" / name
    out.parent.mkdir(exist_ok=True)
    if out.exists():
        out.unlink()
    req = tmp_path / "worker-out" / (name + ".request.json")
    if request is None:
        request = {
            "invocation_dir": str(cwd),
            "pytest_args": list(pytest_args),
            "paths": list(paths),
            "output": str(out),
        }
    req.write_text(json.dumps(request) if not isinstance(request, str) else request)
    proc = subprocess.run(
        [sys.executable, *python_flags, "-m", "fastest._collect", str(req)],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    result = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    if result is not None:
        check_schema(result)
    return proc, result


def check_schema(result):
    """The types the Rust side deserializes (crates/fastest-cli/src/fallback.rs)."""
    opt_str = (str, type(None))
    assert result["protocol"] == 1
    for it in result["items"]:
        assert isinstance(it["nodeid"], str)
        assert all(isinstance(t, str) and isinstance(n, str) for t, n in it["chain"])
        assert isinstance(it["lineno"], (int, type(None))) and not isinstance(it["lineno"], bool)
        assert all(isinstance(k, str) for k in it["keywords"])
        for mk in it["marks"]:
            assert isinstance(mk["name"], str)
            assert all(isinstance(v, (str, int, bool, type(None))) for v in mk["kwargs"].values())
            assert all(isinstance(v, (str, int, bool, type(None))) for v in mk["args"])
        run = it["run"]
        if run is not None:
            for source, key, index, *values in run["callspec"]:
                assert (source, type(key)) in (("mark", int), ("fixture", str)) and isinstance(index, int)
                # A mark's set of literal values carries their repr.
                assert values == [] or (source == "mark" and len(values) == 1 and isinstance(values[0], str))
            assert all(isinstance(f, str) for f in run["external_fixtures"])
    for rep in result["errors"] + result["skipped"]:
        assert isinstance(rep["nodeid"], str) and isinstance(rep["longrepr"], str)
        assert isinstance(rep["summary"], opt_str)
    for w in result["warnings"]:
        assert isinstance(w["location"], opt_str) and isinstance(w["message"], str)
    assert all(isinstance(d, str) for d in result["deselected"])
    assert isinstance(result["exitstatus"], int)
    assert isinstance(result["internal_error"], opt_str)
    assert result["worker_problems"] == []


def write_files(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


# --------------------------------------------------------------------------
# rebuilding pytest's text from the result (what the Rust side has to do)


def sep(char, title=None, width=WIDTH):
    """``TerminalWriter.sep`` on POSIX."""
    if title is not None:
        n = max((width - len(title) - 2) // (2 * len(char)), 1)
        fill = char * n
        line = f"{fill} {title} {fill}"
    else:
        line = char * (width // len(char))
    if len(line) + len(char.rstrip()) <= width:
        line += char.rstrip()
    return line


def render_tree(items):
    lines, stack = [], []
    for item in items:
        chain = [tuple(c) for c in item["chain"]]
        while stack and stack != chain[: len(stack)]:
            stack.pop()
        for col in chain[len(stack) :]:
            stack.append(col)
            lines.append("  " * (len(stack) - 1) + f"<{col[0]} {col[1]}>")
    return lines


def render_errors(result):
    if not result["errors"]:
        return ""
    out = sep("=", "ERRORS") + "\n"
    for e in result["errors"]:
        out += sep("_", e["headline"]) + "\n" + e["longrepr"]
    return out


def render_warnings(result):
    if not result["warnings"]:
        return ""
    groups = {}
    for w in result["warnings"]:
        groups.setdefault(w["message"], []).append(w)
    out = [sep("=", "warnings summary")]
    for ws in groups.values():
        locations = [w["location"] for w in ws if w["location"]]
        if len(locations) >= 10:
            counts = Counter(loc.split("::", 1)[0] for loc in locations)
            locations = [f"{k}: {v} warning{'s' if v > 1 else ''}" for k, v in counts.items()]
        if locations:
            out.append("\n".join(locations))
            out.append(ws[0]["text"])
            # what the Rust side does: indent each line of the message
            assert ws[0]["text"] == "\n".join("  " + x for x in ws[0]["message"].splitlines()).rstrip()
        else:
            out.append(ws[0]["message"].rstrip())
        out.append("")
    out.append(DOCS_LINE)
    return "\n".join(out) + "\n"


def render_short_summary(result, chars="fE"):
    lines = []
    for ch in chars:
        if ch == "s":
            folded = {}
            for s in result["skipped"]:
                assert isinstance(s["longrepr"], str)
                key = (s["path"], s["lineno"], s["reason"])
                folded.setdefault(key, []).append(s["summary"])
            for summaries in folded.values():
                lines.append(f"SKIPPED [{len(summaries)}] {summaries[0]}")
        elif ch == "E":
            lines.extend("ERROR " + e["summary"] for e in result["errors"])
    if not lines:
        return ""
    return sep("=", "short test summary info") + "\n" + "\n".join(lines) + "\n"


def render_collected_line(result):
    n = result["numcollected"]
    errors, skipped, deselected = len(result["errors"]), len(result["skipped"]), len(result["deselected"])
    line = f"collected {n} item{'' if n == 1 else 's'}"
    if errors:
        line += f" / {errors} error{'s' if errors != 1 else ''}"
    if deselected:
        line += f" / {deselected} deselected"
    if skipped:
        line += f" / {skipped} skipped"
    if n > n - deselected:
        line += f" / {n - deselected} selected"
    return line


def render_final_prefix(result):
    """The final ``--co`` line up to (excluding) `` in 0.12s``."""
    n, deselected, errors = result["numcollected"], len(result["deselected"]), len(result["errors"])
    if n == 0:
        parts = ["no tests collected"]
    elif deselected == 0:
        parts = [f"{n} test{'s' if n != 1 else ''} collected"]
    elif n == deselected:
        parts = [f"no tests collected ({deselected} deselected)"]
    else:
        parts = [f"{n - deselected}/{n} tests collected ({deselected} deselected)"]
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    return ", ".join(parts)


# --------------------------------------------------------------------------
# cutting pytest's output into sections


def section(output, title, end_prefixes=("=", "!")):
    """The block that starts with the ``title`` separator, up to the next one."""
    lines = output.splitlines(keepends=True)
    start = next((i for i, l in enumerate(lines) if l.rstrip("\n") == sep("=", title)), None)
    if start is None:
        return ""
    end = len(lines)
    for j in range(start + 1, len(lines)):
        if lines[j].startswith(end_prefixes) and set(lines[j].split(" ")[0]) <= {"=", "!"} and len(lines[j]) > 20:
            end = j
            break
    block = "".join(lines[start:end])
    if title == "warnings summary":  # ends with the docs line
        cut = block.find(DOCS_LINE)
        block = block[: cut + len(DOCS_LINE) + 1]
    return block


def quiet_nodeids(output):
    ids = []
    for line in output.splitlines():
        if not line.strip():
            break
        ids.append(line)
    return ids


def tree_lines(output):
    lines = output.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("collected "))
    tree = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        tree.append(line)
    return tree


# --------------------------------------------------------------------------
# the main sample project


MIXED = {
    "pytest.ini": """
        [pytest]
        bogus_key = 1
        markers =
            slow: slow tests
    """,
    "tests/conftest.py": """
        import pytest

        @pytest.fixture(params=[1, "two", object()])
        def fp(request):
            return request.param

        def pytest_generate_tests(metafunc):
            if "gen" in metafunc.fixturenames:
                metafunc.parametrize("gen", [10, 20], ids=["ten", "twenty"])

        def pytest_collection_modifyitems(config, items):
            keep, drop = [], []
            for it in items:
                (drop if "dropme" in it.name else keep).append(it)
            if drop:
                config.hook.pytest_deselected(items=drop)
                items[:] = keep
    """,
    "tests/helpers.py": """
        def test_imported():
            pass
    """,
    "tests/test_ok.py": """
        import pytest
        from helpers import test_imported

        pytestmark = pytest.mark.slow(x=1, y=2.5)

        print("hello from import")

        VALUES = [n * 2 for n in range(3)]

        class TestK:
            @pytest.mark.parametrize("a", VALUES)
            def test_m(self, a):
                pass

        def test_gen(gen):
            pass

        def test_fp(fp):
            pass

        def test_dropme():
            pass

        def test_attr():
            pass
        test_attr.myattr = 1

        class TestInit:
            def __init__(self):
                pass
            def test_x(self):
                pass

        def pytest_generate_tests(metafunc):
            if "local" in metafunc.fixturenames:
                metafunc.parametrize("local", ["p", "q"])

        def test_local(local):
            pass
    """,
    "tests/test_syntax.py": """
        def test_a(:
            pass
    """,
    "tests/test_imp.py": """
        import nonexistent_module_xyz
        def test_a(): pass
    """,
    "tests/test_val.py": """
        print("about to fail")
        raise ValueError("boom")
    """,
    "tests/test_skip.py": """
        import pytest
        pytest.skip("not here", allow_module_level=True)
        def test_a(): pass
    """,
    "tests/sub/mod_doc.py": '''
        def f():
            """
            >>> 1 + 1
            2
            """
        import warnings
        warnings.warn("import-time warning", UserWarning)
    ''',
    "tests/sub/test_warn.py": """
        import warnings
        warnings.warn("import-time warning", UserWarning)
        def test_w(): pass
    """,
}

MIXED_ARGS = ["-p", "no:cacheprovider", "--doctest-modules", "-ra"]


@pytest.fixture(scope="module", params=[".", "tests"], ids=["from-root", "from-tests"])
def mixed(request, tmp_path_factory):
    """(worker result, pytest default output, pytest -q output, pytest rc) for MIXED."""
    root = write_files(tmp_path_factory.mktemp("mixed") / "proj", MIXED)
    cwd = root / request.param
    proc, result = run_worker(root.parent, cwd, MIXED_ARGS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    full = run_pytest(cwd, *MIXED_ARGS)
    quiet = run_pytest(cwd, "-q", *MIXED_ARGS)
    return result, full, quiet


def test_mixed_nodeids_match_pytest(mixed):
    result, _, quiet = mixed
    assert [i["nodeid"] for i in result["items"]] == quiet_nodeids(quiet.stdout)
    # sanity: the dynamic cases are really there
    ids = {i["nodeid"] for i in result["items"]}
    assert "tests/test_ok.py::test_gen[ten]" in ids
    assert "tests/test_ok.py::test_fp[fp2]" in ids
    assert "tests/test_ok.py::test_imported" in ids
    assert "tests/test_ok.py::test_local[q]" in ids
    assert "tests/test_ok.py::TestK::test_m[4]" in ids
    assert "tests/sub/mod_doc.py::mod_doc.f" in ids


def test_mixed_tree_matches_pytest(mixed):
    result, full, _ = mixed
    assert render_tree(result["items"]) == tree_lines(full.stdout)


def test_mixed_exitstatus_and_interrupt(mixed):
    result, full, _ = mixed
    assert result["exitstatus"] == full.returncode == 2
    assert result["internal_error"] is None
    msg = result["interrupted"]["message"]
    assert msg == f"Interrupted: {len(result['errors'])} errors during collection" == "Interrupted: 6 errors during collection"
    assert sep("!", msg) + "\n" in full.stdout


def test_mixed_errors_section_matches_pytest(mixed):
    result, full, _ = mixed
    expected = section(full.stdout, "ERRORS")
    assert expected  # the project has errors
    assert render_errors(result) == expected
    # the captured stdout of the failing import is part of the body
    val = [e for e in result["errors"] if e["nodeid"] == "tests/test_val.py"]
    assert "Captured stdout" in val[0]["longrepr"] and "about to fail" in val[0]["longrepr"]


def test_mixed_warnings_summary_matches_pytest(mixed):
    result, full, _ = mixed
    expected = section(full.stdout, "warnings summary")
    assert "PytestCollectionWarning" in expected and "Unknown config option" in expected
    assert render_warnings(result) == expected
    whens = {w["when"] for w in result["warnings"]}
    assert whens == {"config", "collect"}


def test_mixed_short_summary_matches_pytest(mixed):
    result, full, _ = mixed
    expected = section(full.stdout, "short test summary info")
    assert "SKIPPED [2]" in expected
    assert render_short_summary(result, chars="sxXEf") == expected


def test_mixed_counts_match_pytest(mixed):
    result, full, _ = mixed
    lines = full.stdout.splitlines()
    assert render_collected_line(result) in lines
    final = lines[-1].strip("= ")
    assert final.rsplit(" in ", 1)[0] == render_final_prefix(result)
    assert result["deselected"] == ["tests/test_ok.py::test_dropme"]


def test_mixed_chain_lineno_marks(mixed):
    result, _, _ = mixed
    by_id = {i["nodeid"]: i for i in result["items"]}
    m = by_id["tests/test_ok.py::TestK::test_m[2]"]
    assert m["chain"] == [["Dir", "proj"], ["Dir", "tests"], ["Module", "test_ok.py"], ["Class", "TestK"], ["Function", "test_m[2]"]]
    assert m["lineno"] == 11  # the def line, 1-based
    assert m["path"] == "tests/test_ok.py"
    marks = {mk["name"]: mk for mk in m["marks"]}
    assert [mk["name"] for mk in m["marks"]] == ["parametrize", "slow"]
    assert marks["slow"]["kwargs"] == {"x": 1, "y": None}
    assert marks["slow"]["opaque"] == ["y"]
    assert marks["parametrize"]["args"] == ["a", None]
    assert marks["parametrize"]["opaque_args"] == [1]
    doc = by_id["tests/sub/mod_doc.py::mod_doc.f"]
    assert doc["chain"][-2:] == [["DoctestModule", "mod_doc.py"], ["DoctestItem", "mod_doc.f"]]
    assert doc["lineno"] == 2
    assert "myattr" in by_id["tests/test_ok.py::test_attr"]["keywords"]


# --------------------------------------------------------------------------
# -k / -m: the recorded keywords and marks select what pytest selects


SELECT = {
    "pytest.ini": """
        [pytest]
        markers =
            slow: slow
            fast: fast
    """,
    "tests/conftest.py": """
        import pytest

        @pytest.fixture(params=["red", "blue"])
        def colour(request):
            return request.param
    """,
    "tests/test_sel.py": """
        import pytest

        class TestGroup:
            pytestmark = [pytest.mark.fast]

            @pytest.mark.slow(level=2, who="me")
            def test_one(self):
                pass

            @pytest.mark.parametrize("n", [1, 2], ids=["uno", "dos"])
            def test_two(self, n):
                pass

        @pytest.mark.slow(level=1)
        def test_free(colour):
            pass

        def test_attr():
            pass
        test_attr.tagged = True

        @pytest.mark.parametrize("v", [pytest.param(1, marks=pytest.mark.fast, id="one"), 2])
        def test_param_marks(v):
            pass
    """,
}


def _kw_select(result, word):
    return [i["nodeid"] for i in result["items"] if any(word.lower() in k.lower() for k in i["keywords"])]


def _m_select(result, name, **kwargs):
    sel = []
    for i in result["items"]:
        for mk in i["marks"]:
            if mk["name"] == name and all(mk["kwargs"].get(k, object()) == v and k not in mk.get("opaque", ()) for k, v in kwargs.items()):
                sel.append(i["nodeid"])
                break
    return sel


@pytest.fixture(scope="module")
def select_project(tmp_path_factory):
    root = write_files(tmp_path_factory.mktemp("select") / "selproj", SELECT)
    proc, result = run_worker(root.parent, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0, proc.stderr
    assert [i["nodeid"] for i in result["items"]] == quiet_nodeids(run_pytest(root, "-q", "-p", "no:cacheprovider").stdout)
    return root, result


@pytest.mark.parametrize(
    "word", ["TestGroup", "test_sel", "tests", "selproj", "slow", "fast", "uno", "red", "tagged", "one", "parametrize"]
)
def test_keywords_select_like_dash_k(select_project, word):
    root, result = select_project
    proc = run_pytest(root, "-q", "-p", "no:cacheprovider", "-k", word)
    assert _kw_select(result, word) == quiet_nodeids(proc.stdout)


@pytest.mark.parametrize(
    "expr,name,kwargs",
    [
        ("slow", "slow", {}),
        ("fast", "fast", {}),
        ("slow(level=1)", "slow", {"level": 1}),
        ("slow(level=2)", "slow", {"level": 2}),
        ('slow(who="me")', "slow", {"who": "me"}),
        ("parametrize", "parametrize", {}),
    ],
)
def test_marks_select_like_dash_m(select_project, expr, name, kwargs):
    root, result = select_project
    proc = run_pytest(root, "-q", "-p", "no:cacheprovider", "-m", expr)
    assert _m_select(result, name, **kwargs) == quiet_nodeids(proc.stdout)


# --------------------------------------------------------------------------
# arguments, selection by node id, config pass-through


def test_node_id_paths_and_config_passthrough(tmp_path):
    root = write_files(
        tmp_path / "cfgproj",
        {
            "cfg/custom.ini": """
                [pytest]
                python_files = check_*.py
                python_functions = check
            """,
            "suite/check_a.py": """
                class TestX:
                    def check_one(self): pass
                    def check_two(self): pass
                def check_free(): pass
                def test_not_collected(): pass
            """,
            "suite/check_b.py": """
                def check_b(): pass
            """,
        },
    )
    args = ["-c", str(root / "cfg/custom.ini"), f"--rootdir={root}", "-o", "python_classes=Test"]
    args += ["--import-mode=importlib", "-p", "no:cacheprovider"]
    paths = ["suite/check_a.py::TestX", "suite/check_b.py"]
    proc, result = run_worker(tmp_path, root, args, paths)
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, "-q", *args, *paths)
    assert [i["nodeid"] for i in result["items"]] == quiet_nodeids(real.stdout)
    assert [i["nodeid"] for i in result["items"]] == [
        "suite/check_a.py::TestX::check_one",
        "suite/check_a.py::TestX::check_two",
        "suite/check_b.py::check_b",
    ]
    assert result["rootdir"] == str(root)
    assert result["exitstatus"] == real.returncode == 0


def test_arguments_as_the_rust_side_builds_them(tmp_path):
    """No config file: `--rootdir=R -c /dev/null --confcutdir=R`, absolute paths."""
    root = write_files(
        tmp_path / "rs",
        {
            "conftest.py": "import pytest\n@pytest.fixture(params=[1, 2])\ndef p(request): return request.param\n",
            "tests/test_a.py": "def test_a(p): pass\n",
            "tests/sub/test_b.py": "import pytest\n@pytest.mark.parametrize('x', list(range(2)))\ndef test_b(x): pass\n",
        },
    )
    args = [f"--rootdir={root}", "-c", "/dev/null", f"--confcutdir={root}", "-p", "no:cacheprovider"]
    paths = [str(root / "tests/test_a.py"), str(root / "tests/sub/test_b.py")]
    proc, result = run_worker(tmp_path, root, args, paths)
    assert proc.returncode == 0, proc.stderr
    plain = run_pytest(root, "-q", "-p", "no:cacheprovider", "tests/test_a.py", "tests/sub/test_b.py")
    assert [i["nodeid"] for i in result["items"]] == quiet_nodeids(plain.stdout)
    assert result["exitstatus"] == 0 and result["internal_error"] is None


def test_absolute_paths_and_invocation_dir_elsewhere(tmp_path):
    root = write_files(tmp_path / "p", {"pytest.ini": "[pytest]\n", "t/test_x.py": "def test_x(): pass\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["-p", "no:cacheprovider"]
    paths = [str(root / "t/test_x.py")]
    proc, result = run_worker(tmp_path, elsewhere, args, paths)
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(elsewhere, "-q", *args, *paths)
    assert [i["nodeid"] for i in result["items"]] == quiet_nodeids(real.stdout) == ["t/test_x.py::test_x"]


# --------------------------------------------------------------------------
# usage errors, internal errors, escaping exceptions


def test_usage_error_unknown_option(tmp_path):
    root = write_files(tmp_path / "u", {"test_a.py": "def test_a(): pass\n"})
    args = ["--definitely-not-an-option", "-p", "no:cacheprovider"]
    proc, result = run_worker(tmp_path, root, args)
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, *args)
    assert result["exitstatus"] == real.returncode == 4
    assert result["internal_error"] == real.stderr
    assert "unrecognized arguments: --definitely-not-an-option" in result["internal_error"]
    assert result["items"] == []


def test_usage_error_missing_path(tmp_path):
    root = write_files(tmp_path / "u", {"test_a.py": "def test_a(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"], ["test_a.py", "missing.py"])
    real = run_pytest(root, "-p", "no:cacheprovider", "test_a.py", "missing.py")
    assert result["exitstatus"] == real.returncode == 4
    assert result["internal_error"] == real.stderr
    assert "file or directory not found: missing.py" in result["internal_error"]


def test_usage_error_bad_keyword_expression(tmp_path):
    root = write_files(tmp_path / "u", {"test_a.py": "def test_a(): pass\n"})
    args = ["-p", "no:cacheprovider", "-k", "a and ("]
    proc, result = run_worker(tmp_path, root, args)
    real = run_pytest(root, *args)
    assert result["exitstatus"] == real.returncode == 4
    assert result["internal_error"] == real.stderr


def test_conftest_import_error(tmp_path):
    root = write_files(tmp_path / "c", {"conftest.py": "import nope_mod_xyz\n", "test_a.py": "def test_a(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, "-p", "no:cacheprovider")
    assert result["exitstatus"] == real.returncode == 4
    assert result["internal_error"] == real.stderr
    assert "ImportError while loading conftest" in result["internal_error"]


def test_sys_exit_in_test_module_is_internal_error(tmp_path):
    root = write_files(tmp_path / "e", {"test_exit.py": "import sys\nsys.exit(3)\n", "test_ok.py": "def test_ok(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, "-p", "no:cacheprovider")
    assert result["exitstatus"] == real.returncode == 3
    expected = "".join(l + "\n" for l in real.stdout.splitlines() if l.startswith("INTERNALERROR>")) + real.stderr
    assert result["internal_error"] == expected
    assert "SystemExit: 3" in expected


def test_keyboard_interrupt_in_test_module(tmp_path):
    root = write_files(tmp_path / "k", {"test_kbi.py": "raise KeyboardInterrupt\n", "test_ok.py": "def test_ok(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, "-p", "no:cacheprovider")
    assert result["exitstatus"] == real.returncode == 2
    banner = sep("!", result["interrupted"]["message"]) + "\n" + result["interrupted"]["text"]
    assert banner in real.stdout
    assert result["internal_error"] is None


@pytest.mark.parametrize(
    "conftest,code,exc",
    [("import sys\nsys.exit(5)\n", 5, "SystemExit"), ("raise KeyboardInterrupt\n", 130, "KeyboardInterrupt")],
    ids=["SystemExit", "KeyboardInterrupt"],
)
def test_base_exception_escaping_pytest(tmp_path, conftest, code, exc):
    root = write_files(tmp_path / "b", {"conftest.py": conftest, "test_a.py": "def test_a(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, "-p", "no:cacheprovider")
    # The pytest script dies of the re-raised SIGINT (-2 here, 130 in a shell).
    assert real.returncode == (-2 if code == 130 else code)
    assert result["exitstatus"] == code
    assert result["internal_error"].startswith(exc)
    assert "escaped pytest's collection" in result["internal_error"]


# --------------------------------------------------------------------------
# process hygiene: sys.path, stdout, threads, the result file


def test_sys_path_is_the_pytest_scripts(tmp_path):
    """The cwd is not importable (pytest script semantics), and cannot shadow the stdlib."""
    root = write_files(
        tmp_path / "sp",
        {
            "json.py": "raise RuntimeError('the cwd shadowed the json module')\n",
            "helper_mod.py": "VALUE = 1\n",
            "tests/test_h.py": "import helper_mod\ndef test_h(): pass\n",
            "tests/test_plain.py": "def test_plain(): pass\n",
        },
    )
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0, proc.stderr
    real = run_pytest(root, "-p", "no:cacheprovider")
    assert result["exitstatus"] == real.returncode == 2
    assert [e["nodeid"] for e in result["errors"]] == ["tests/test_h.py"]
    assert "No module named 'helper_mod'" in result["errors"][0]["longrepr"]
    assert render_errors(result) == section(real.stdout, "ERRORS")
    assert [i["nodeid"] for i in result["items"]] == ["tests/test_plain.py::test_plain"]


@pytest.mark.parametrize(
    "python_flags",
    [[], pytest.param(["-P"], marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="python -P is 3.11+"))],
    ids=["plain", "safe-path"],
)
def test_sys_path_and_argv_equal_the_pytest_scripts(tmp_path, python_flags):
    """What a conftest sees of sys.path and sys.argv is the same as under `pytest`."""
    root = write_files(
        tmp_path / "env",
        {
            "conftest.py": """
                import json, os, sys
                with open(os.environ["FASTEST_DUMP"], "w") as f:
                    json.dump({"path": sys.path, "argv": sys.argv}, f)
            """,
            "tests/test_a.py": "def test_a(): pass\n",
        },
    )
    args, paths = ["-p", "no:cacheprovider", "-o", "console_output_style=classic"], ["tests"]
    env_dump = tmp_path / "dump.json"
    os.environ["FASTEST_DUMP"] = str(env_dump)
    try:
        proc, result = run_worker(tmp_path, root, args, paths, python_flags=python_flags)
        assert proc.returncode == 0, proc.stderr
        worker = json.loads(env_dump.read_text())
        real = run_pytest(root, *args, *paths)
        assert real.returncode == 0, real.stdout
        script = json.loads(env_dump.read_text())
    finally:
        del os.environ["FASTEST_DUMP"]
    assert worker["path"] == script["path"]
    assert str(root) in worker["path"]  # the rootdir conftest put it there (prepend mode)
    assert worker["argv"][0] == script["argv"][0]
    assert worker["argv"][1:] == [a for a in script["argv"][1:] if a != "--collect-only"]


@pytest.mark.parametrize("tb", ["--tb=auto", "--tb=long", "--tb=short", "--tb=line", "--tb=native", "--showlocals", "--full-trace"])
def test_errors_section_for_traceback_styles(tmp_path, tb):
    root = write_files(
        tmp_path / "tb",
        {
            "helper.py": "def explode(n):\n    local_value = n * 2\n    raise KeyError(local_value)\n",
            "conftest.py": "",
            "test_chain.py": """
                from helper import explode
                try:
                    explode(1)
                except KeyError as e:
                    raise RuntimeError("wrapped") from e
            """,
            "test_ok.py": "def test_ok(): pass\n",
        },
    )
    args = ["-p", "no:cacheprovider", tb]
    proc, result = run_worker(tmp_path, root, args)
    real = run_pytest(root, *args)
    expected = section(real.stdout, "ERRORS")
    assert "wrapped" in expected
    # --showlocals/--full-trace print object reprs: addresses differ per process
    assert _no_addresses(render_errors(result)) == _no_addresses(expected)
    assert render_short_summary(result) == section(real.stdout, "short test summary info")
    assert "\x1b[" not in result["errors"][0]["longrepr"]


def _no_addresses(text):
    import re

    return re.sub(r" at 0x[0-9a-f]+>", " at 0x?>", text)


def test_texts_have_pytests_colours_when_pytest_would_colour(tmp_path):
    root = write_files(tmp_path / "col", {"test_bad.py": "x = 1\nraise ValueError('boom')\n"})
    args = ["-p", "no:cacheprovider", "--color=yes", "-rE"]
    proc, result = run_worker(tmp_path, root, args)
    real = run_pytest(root, *args)
    err = result["errors"][0]
    assert "\x1b[" in err["longrepr"]
    assert err["longrepr"] in real.stdout
    # The short summary's line after the red word, bold test name and all.
    assert "\x1b[31mERROR\x1b[0m " + err["summary"] in real.stdout.splitlines()
    # JUnit's text is `str(longrepr)`: plain.
    assert "\x1b[" not in err["junit"]


def test_maxfail_during_collection(tmp_path):
    root = write_files(
        tmp_path / "x",
        {"test_a.py": "raise ValueError(1)\n", "test_b.py": "raise ValueError(2)\n", "test_c.py": "def test_c(): pass\n"},
    )
    args = ["-p", "no:cacheprovider", "-x"]
    proc, result = run_worker(tmp_path, root, args)
    real = run_pytest(root, *args)
    assert result["exitstatus"] == real.returncode
    assert result["shouldfail"] == "stopping after 1 failures"
    assert sep("!", result["shouldfail"]) in real.stdout.splitlines()
    assert render_errors(result) == section(real.stdout, "ERRORS")
    assert render_final_prefix(result) == real.stdout.splitlines()[-1].strip("= ").rsplit(" in ", 1)[0]


def test_without_terminal_plugin(tmp_path):
    """-p no:terminal: no reporter to borrow from; the worker still renders."""
    root = write_files(tmp_path / "nt", {"test_bad.py": "raise ValueError('boom')\n", "test_ok.py": "def test_ok(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider", "-p", "no:terminal"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert [i["nodeid"] for i in result["items"]] == ["test_ok.py::test_ok"]
    assert "ValueError: boom" in result["errors"][0]["longrepr"]
    assert result["errors"][0]["summary"] == "test_bad.py - ValueError: boom"


@pytest.mark.parametrize("extra", [[], ["-s"], ["--capture=sys"], ["--capture=tee-sys"]], ids=["fd", "no", "sys", "tee-sys"])
def test_stdout_stays_clean(tmp_path, extra):
    root = write_files(
        tmp_path / "o",
        {
            "test_print.py": """
                import sys
                print("PRINTED AT IMPORT")
                sys.stderr.write("STDERR AT IMPORT\\n")
                def test_p(): pass
            """,
            "test_bad.py": "print('before error')\nraise RuntimeError('x')\n",
        },
    )
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider", *extra])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert [i["nodeid"] for i in result["items"]] == ["test_print.py::test_p"]
    real = run_pytest(root, "-p", "no:cacheprovider", *extra)
    assert "RuntimeError: x" in section(real.stdout, "ERRORS")
    assert render_errors(result) == section(real.stdout, "ERRORS")


def test_leftover_threads_do_not_hang_the_worker(tmp_path):
    root = write_files(
        tmp_path / "t",
        {"test_thr.py": "import threading, time\nthreading.Thread(target=time.sleep, args=(600,)).start()\ndef test_t(): pass\n"},
    )
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])  # run_worker times out at 120 s
    assert proc.returncode == 0, proc.stderr
    assert [i["nodeid"] for i in result["items"]] == ["test_thr.py::test_t"]


def test_result_written_atomically_and_nothing_left_behind(tmp_path):
    root = write_files(tmp_path / "a", {"test_a.py": "def test_a(): pass\n"})
    proc, result = run_worker(tmp_path, root, ["-p", "no:cacheprovider"])
    assert proc.returncode == 0
    assert sorted(p.name for p in (tmp_path / "worker-out").iterdir()) == ["result.json", "result.json.request.json"]
    assert set(result) >= {"items", "errors", "skipped", "warnings", "deselected", "exitstatus", "internal_error"}
    assert result["exitstatus"] == 0 and result["errors"] == [] and result["internal_error"] is None


def test_many_identical_warnings_collapse_like_pytest(tmp_path):
    files = {
        "conftest.py": "import warnings\ndef warn_once():\n    warnings.warn('shared warning', UserWarning)\n",
    }
    for n in range(11):
        files[f"test_w{n:02d}.py"] = "from conftest import warn_once\nwarn_once()\ndef test_x(): pass\n"
    root = write_files(tmp_path / "w", files)
    args = ["-p", "no:cacheprovider", "-W", "always::UserWarning"]
    proc, result = run_worker(tmp_path, root, args)
    real = run_pytest(root, *args)
    assert len(result["warnings"]) == 11
    expected = section(real.stdout, "warnings summary")
    assert "conftest.py:3: 11 warnings" in expected
    assert render_warnings(result) == expected


def test_pytest_not_importable(tmp_path, monkeypatch):
    shadow = write_files(tmp_path / "shadow", {"pytest.py": "raise ImportError('no pytest in this venv')\n"})
    root = write_files(tmp_path / "np", {"test_a.py": "def test_a(): pass\n"})
    monkeypatch.setenv("PYTHONPATH", str(shadow))  # _env() appends the package dir after it
    proc, result = run_worker(tmp_path, root, [])
    assert proc.returncode == 0, proc.stderr
    assert result["exitstatus"] == 3
    assert "cannot import it: no pytest in this venv" in result["internal_error"]
    assert result["items"] == []


@pytest.mark.parametrize(
    "request_text,needle",
    [
        ("{not json", "cannot read request"),
        ('["a list"]', "must be a JSON object"),
        ('{"paths": []}', "request.output"),
        ('{"output": "/tmp/x.json", "paths": "tests"}', "request.paths"),
    ],
)
def test_bad_request(tmp_path, request_text, needle):
    proc, result = run_worker(tmp_path, tmp_path, request=request_text)
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert result is None


def test_missing_request_file(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "fastest._collect", str(tmp_path / "nope.json")],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "cannot read request" in proc.stderr


def test_unwritable_output(tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "r.json"
    req = {"invocation_dir": str(tmp_path), "pytest_args": ["-p", "no:cacheprovider"], "paths": [], "output": str(out)}
    proc, _ = run_worker(tmp_path, tmp_path, request=req)
    assert proc.returncode != 0
    assert "cannot write" in proc.stderr


def test_run_specs_name_each_parameter_set(tmp_path):
    """Imported items carry what the native engine needs: which argvalue of which
    ``parametrize`` mark (pytest renumbers direct parameters by product position; the
    worker splits it back), which fixture ``params`` entry, and the closure's external
    fixtures. What only pytest can rebuild (a hook's parametrization, higher-scope
    parameters) has no spec."""
    root = write_files(
        tmp_path / "proj",
        {
            "conftest.py": """
                import pytest

                @pytest.fixture(params=[10, 20])
                def fx(request):
                    return request.param

                @pytest.fixture(scope="module", params=[1, 2])
                def modfx(request):
                    return request.param
            """,
            "test_specs.py": """
                import pytest

                A = [n for n in range(3)]

                @pytest.mark.parametrize("b", ["x", "y"])
                @pytest.mark.parametrize("a", A)
                def test_stacked(a, b, fx, tmp_path):
                    pass

                @pytest.mark.parametrize("d", [1, 1])
                def test_dup(d):
                    pass

                @pytest.mark.parametrize("o", [object(), (1, [2]), (1, "a", None, b"x", 2.5)])
                def test_objects(o):
                    pass

                def test_modfx(modfx):
                    pass

                @pytest.mark.parametrize("m", [1, 2], scope="module")
                def test_direct_module_scope(m):
                    pass

                class TestK:
                    @pytest.mark.parametrize("c", A[:2])
                    def test_m(self, c, monkeypatch):
                        pass
            """,
            "test_hook.py": """
                def pytest_generate_tests(metafunc):
                    if "h" in metafunc.fixturenames:
                        metafunc.parametrize("h", [1, 2])

                def test_h(h):
                    pass

                def test_plain():
                    pass
            """,
        },
    )
    proc, result = run_worker(tmp_path, root, paths=["test_specs.py", "test_hook.py"])
    assert result is not None, proc.stderr
    runs = {it["nodeid"].split("::", 1)[1]: it["run"] for it in result["items"]}
    # Calls in pytest's order (fixture params first here, as the ids show; marks in
    # iter_markers order, the decorator nearest the function first).
    # A mark's set of literals carries its values' repr (the engine finds the set by
    # them when its worker iterates the argvalues in another order).
    assert runs["test_stacked[10-1-y]"]["callspec"] == [["fixture", "fx", 0], ["mark", 0, 1, "(1,)"],
                                                        ["mark", 1, 1, "('y',)"]]
    # tmp_path's own dependencies are not walked; `request` has no definition.
    assert sorted(runs["test_stacked[10-1-y]"]["external_fixtures"]) == ["request", "tmp_path"]
    assert runs["test_stacked[20-2-x]"]["callspec"] == [["fixture", "fx", 1], ["mark", 0, 2, "(2,)"],
                                                        ["mark", 1, 0, "('x',)"]]
    assert [runs[k]["callspec"] for k in runs if k.startswith("test_dup")] == [
        [["mark", 0, 0, "(1,)"]], [["mark", 0, 1, "(1,)"]]]
    # Other values, by position only.
    assert [runs[k]["callspec"] for k in runs if k.startswith("test_objects")] == [
        [["mark", 0, 0]], [["mark", 0, 1]], [["mark", 0, 2, "((1, 'a', None, b'x', 2.5),)"]]]
    assert runs["TestK::test_m[1]"] == {"callspec": [["mark", 0, 1, "(1,)"]], "external_fixtures": ["monkeypatch"],
                                        "fixtures": ["c", "monkeypatch"]}
    # A module-scoped fixture's parameter: the engine sets the fixture up per parameter,
    # in the order pytest's collection gave.
    assert runs["test_modfx[1]"] == {"callspec": [["fixture", "modfx", 0]], "external_fixtures": ["request"],
                                     "fixtures": ["modfx", "request"]}
    # A direct parameter with a higher scope is a fixture only pytest has.
    assert runs["test_direct_module_scope[1]"] is None
    assert runs["test_h[1]"] is None and runs["test_plain"] is None  # the module has the hook
