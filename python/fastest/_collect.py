"""Import-based collection fallback: run pytest's own collection for some paths.

fastest discovers tests statically. Files whose items the source cannot prove
("uncertain" files) are handed to this worker, which runs ``pytest
--collect-only`` in-process for just those paths and reports what pytest found
as JSON. It never runs a test.

Invocation (cwd = the user's invocation dir)::

    <python> -m fastest._collect REQUEST.json

Request::

    {"invocation_dir": "/abs/cwd",
     "pytest_args": ["--rootdir=/abs/root", "-c", "/abs/root/pytest.ini", ...],
     "paths": ["tests/test_a.py", "tests/sub/test_b.py::TestX"],
     "walked": ["/abs/root/tests/test_a.py"],
     "output": "/abs/tmp/result.json"}

``pytest_args`` are options passed to pytest verbatim, ``paths`` the positional
arguments. ``walked`` (optional) lists the files the real session reaches by walking
a directory: no initial paths there, so they are collected as such. pytest reads the ini ``addopts`` and ``$PYTEST_ADDOPTS`` itself, so
they must not be repeated in ``pytest_args``.

Result (written to ``output`` through a temporary file and a rename)::

    {"protocol": 1,
     "pytest_version": "9.2.0",
     "rootdir": "/abs/root" | null,
     "items": [{"nodeid": "tests/test_a.py::TestK::test_m[1]",
                "chain": [["Dir", "proj"], ["Dir", "tests"], ["Module", "test_a.py"],
                          ["Class", "TestK"], ["Function", "test_m[1]"]],
                "path": "tests/test_a.py",      # item.location[0] (rootdir-relative)
                "lineno": 12,                   # 1-based, or null
                "marks": [{"name": "slow", "args": [], "kwargs": {"x": 1}}, ...],
                "keywords": ["TestK", "slow", "test_a.py", "test_m[1]", ...],
                "run": null | {"callspec": [["mark", 0, 1], ["fixture", "fx", 0]],
                               "external_fixtures": ["tmp_path"]}}],  # see _run_spec
     "numcollected": 11,
     "errors": [{"nodeid": "tests/test_err.py",
                 "headline": "ERROR collecting tests/test_err.py",
                 "longrepr": "<body of the ERRORS section entry>",
                 "summary": "tests/test_err.py - ValueError: boom",
                 "message": null | "ValueError: boom",
                 "junit": "<str(report.longrepr)>", "seq": 0}],
     "skipped": [{"nodeid": "tests/test_skip.py",
                  "longrepr": "Skipped: why",
                  "summary": "tests/test_skip.py:2: why",
                  "path": "tests/test_skip.py", "lineno": 2, "reason": "Skipped: why",
                  "fspath": "/abs/root/tests/test_skip.py",
                  "junit": "('/abs/root/tests/test_skip.py', 2, 'Skipped: why')", "seq": 1}],
     "warnings": [{"location": "tests/test_a.py:6",
                   "message": "<the warning text pytest groups by>",
                   "text": "<message as printed under the location>", "when": "collect",
                   "nodeid": "", "category": "PytestCollectionWarning",
                   "fslocation": ["/abs/root/tests/test_a.py", 6],
                   "import": false | "/abs/root/tests/test_a.py" | null,
                   "module": null | "/abs/root/tests/test_b.py"}],
     "deselected": ["tests/test_a.py::test_dropme"],
     "interrupted": null | {"message": "Interrupted: 1 error during collection", "text": ""},
     "shouldfail": null | "stopping after 1 failures",
     "shouldstop": null | "<reason>",
     "exitstatus": 2,
     "stderr": "<what pytest wrote to sys.stderr>",
     "worker_problems": ["<this worker failed to describe something; normally empty>"],
     "internal_error": null | "<text>",
     "imported_files": ["/abs/root/tests/conftest.py", "..."]}  # modules loaded from under rootdir

Field notes (everything is rendered by pytest's own code, without colour, at
the width pytest would use: ``$COLUMNS``, else the width of the terminal on the
worker's stdout, else 80):

* ``chain``: ``item.listchain()`` without the Session, as ``[type name, node
  name]``; exactly the ``--collect-only`` tree. ``keywords``: the name set of
  ``KeywordMatcher.from_item`` (what ``-k`` matches, sorted).
* ``marks``: ``item.iter_markers()`` order. Values that are not None, bool, int
  or str (the only kinds a ``-m 'name(key=value)'`` expression can compare) are
  replaced by null; their keys are listed in ``"opaque"`` and their argument
  indexes in ``"opaque_args"`` (both keys are present only when non-empty).
* ``numcollected``: the N of pytest's ``collected N items`` line (items seen in
  collect reports, before deselection).
* ``errors``: failed collect reports, in pytest's order. pytest prints each as
  ``_`` separator around ``headline``, then ``longrepr`` (which already ends
  with a newline and includes the ``Captured stdout``/``stderr`` sections), and
  the short summary line ``"ERROR " + summary`` (already trimmed to the width
  unless CI or ``-vv``). When pytest colours its output (fastest passes
  ``--color``), both carry pytest's markup and code highlighting, which the
  Rust side cannot rebuild from plain text.
* ``skipped``: skipped collect reports (module-level ``pytest.skip``).
  ``longrepr``/``reason`` is the raw reason, ``path`` is relative to the
  invocation dir. pytest's folded short summary (``-rs``) groups them by
  (path, lineno, reason) and prints ``SKIPPED [count] `` + ``summary`` (which is
  ``path:lineno: reason`` with a leading ``"Skipped: "`` removed); with
  ``--no-fold-skipped`` it prints ``SKIPPED <cwd-relative nodeid> - reason``.
  ``fspath`` is the path of the skip's own longrepr tuple, as pytest has it.
* ``message`` (errors): ``longrepr.reprcrash.message``, what a run's short summary
  trims after the node id (null for string longreprs such as import errors).
* ``junit`` (errors and skips): ``str(report.longrepr)``, the text pytest's JUnit
  file puts in the collect report's ``<error>``/``<skipped>`` element. ``seq``: the
  report's place among all failed and skipped collect reports (pytest's order).
* ``warnings``: in recording order. ``location`` is the nodeid or
  ``path:lineno`` (``WarningReport.get_location``), relative to the
  invocation dir; ``message`` is the text pytest groups by; ``text`` is
  ``message`` as printed under its locations (each line indented by two
  spaces, the whole right-stripped). pytest prints each group's locations (or,
  from 10 locations on, ``<location up to the first "::">: N warnings`` lines)
  then ``text`` and a blank line.
* ``interrupted``: the ``!!! message !!!`` banner pytest prints (collection
  errors, ``pytest.exit``, KeyboardInterrupt) and the text printed after it.
  ``shouldfail``/``shouldstop``: the ``!!! stopping after N failures !!!``
  banner text (``-x``/``--maxfail`` reached during collection), printed before
  ``interrupted``'s banner.
* ``internal_error``: null, or what pytest printed for a usage error (exit 4:
  bad option, missing path, conftest import failure), an internal error (exit
  3, ``INTERNALERROR>`` lines), or a description of an exception that escaped
  pytest altogether (``SystemExit``/``KeyboardInterrupt`` raised while loading
  conftests; ``exitstatus`` is then what the ``pytest`` script would exit with,
  130 for KeyboardInterrupt), or a note that pytest cannot be imported (exit 3).
  It ends with a newline: print it as is. ``stderr`` holds what pytest wrote
  to stderr whatever the outcome.

The process exits 0 whenever the result file was written, and non-zero with a
message on stderr otherwise (bad request, unwritable output).

Process state as under the ``pytest`` console script: ``python -m`` puts the
start directory first on ``sys.path``; the script puts its own bin directory
there instead. The worker replaces that entry before importing anything (so a
``json.py`` in the cwd cannot shadow the standard library and user modules
resolve as they do under ``pytest``). While pytest runs, ``sys.argv`` is
``[<bin dir>/pytest, *pytest_args, *paths]``, and ``sys.stdout``/``sys.stderr``
are sinks: nothing pytest or a test module prints through Python reaches the
worker's stdout (writes straight to file descriptor 1, e.g. from a C extension
under ``-s``, still can). The process leaves with ``os._exit`` once the result
is written, so threads or atexit handlers left by user code cannot hang it.
On Python >= 3.11 start it as ``python -P -m fastest._collect``: then not even
the import of the ``fastest`` package itself can be shadowed from the cwd (the
worker still gives pytest the script's ``sys.path``).
"""

import functools
import os
import sys
import warnings

PROTOCOL = 1
EXIT_BAD_REQUEST = 2
EXIT_CRASH = 3


def _fix_sys_path():
    """Make sys.path[0] what pytest started as fastest was would have: the ``pytest``
    console script's directory, or what the coordinator had there (``FASTEST_PATH0``:
    the current directory under ``python -m fastest``)."""
    bindir = os.path.dirname(os.path.abspath(sys.executable)) if sys.executable else ""
    path0 = os.environ.get("FASTEST_PATH0")
    if getattr(sys.flags, "safe_path", False):
        # Nothing was prepended. Under $PYTHONSAFEPATH the script gets nothing
        # either; under an explicit `python -P` it would still get its bin dir.
        head = path0 or bindir
        if head and not os.environ.get("PYTHONSAFEPATH"):
            sys.path.insert(0, head)
        return
    if path0 and sys.path:
        sys.path[0] = path0
        return
    if not sys.path:
        return
    head = sys.path[0]
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    if head == "" or (cwd is not None and os.path.abspath(head) == cwd):
        if bindir:
            sys.path[0] = bindir
        else:
            del sys.path[0]


if __name__ == "__main__":
    # Before any other import, so a json.py (or similar) in the user's cwd
    # cannot shadow the standard library.
    _fix_sys_path()


class BadRequest(Exception):
    pass


def _load_request(path):
    import json

    try:
        with open(path, encoding="utf-8") as f:
            req = json.load(f)
    except (OSError, ValueError) as e:
        raise BadRequest(f"cannot read request {path!r}: {e}") from None
    if not isinstance(req, dict):
        raise BadRequest("request must be a JSON object")
    out = req.get("output")
    if not isinstance(out, str) or not out:
        raise BadRequest("request.output must be a non-empty string")
    inv = req.get("invocation_dir")
    if inv is not None and not isinstance(inv, str):
        raise BadRequest("request.invocation_dir must be a string")
    for key in ("pytest_args", "paths"):
        val = req.get(key, [])
        if not isinstance(val, list) or not all(isinstance(a, str) for a in val):
            raise BadRequest(f"request.{key} must be a list of strings")
        req[key] = val
    return req


class _Sink:
    """Stand-in for sys.stdout / sys.stderr while pytest runs.

    Text written through Python is kept (or dropped); the file descriptor is
    the real one, for code that needs it (faulthandler, fd-level capture).
    """

    def __init__(self, real, keep):
        self._real = real
        self._parts = [] if keep else None

    def write(self, s):
        if self._parts is not None:
            self._parts.append(s)
        return len(s)

    def writelines(self, lines):
        for s in lines:
            self.write(s)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return self._real.fileno()

    def getvalue(self):
        return "".join(self._parts or ())

    def __getattr__(self, name):
        return getattr(self._real, name)


def _json_safe(value):
    return value is None or isinstance(value, (bool, int, str))


def _mark_to_json(mark):
    out = {"name": mark.name}
    args, opaque_args = [], []
    for i, a in enumerate(mark.args):
        if _json_safe(a):
            args.append(a)
        else:
            args.append(None)
            opaque_args.append(i)
    kwargs, opaque = {}, []
    for k, v in mark.kwargs.items():
        if _json_safe(v):
            kwargs[k] = v
        else:
            kwargs[k] = None
            opaque.append(k)
    out["args"] = args
    out["kwargs"] = kwargs
    if opaque:
        out["opaque"] = opaque
    if opaque_args:
        out["opaque_args"] = opaque_args
    return out


def _keywords(item):
    try:
        from _pytest.mark import KeywordMatcher

        names = KeywordMatcher.from_item(item)._names
    except Exception:
        # Older or changed pytest: the same recipe, by hand.
        import pytest

        names = set()
        for node in item.listchain():
            if isinstance(node, pytest.Session):
                continue
            if isinstance(node, pytest.Directory) and isinstance(node.parent, pytest.Session):
                continue
            names.add(node.name)
        names.update(item.listextrakeywords())
        fn = getattr(item, "function", None)
        if fn:
            names.update(fn.__dict__)
        names.update(m.name for m in item.iter_markers())
    return sorted(str(n) for n in names)


def _memo(memo, key, keep, compute):
    """``compute()``, once per ``key`` in one description of the session: items of one
    function (N parameter sets, N items) share their collectors, their function and
    their fixture closure. ``keep`` is the object whose ``id`` is in the key, kept so the
    id stays its own."""
    hit = memo.get(key)
    if hit is not None and hit[0] is keep:
        return hit[1]
    value = compute()
    memo[key] = (keep, value)
    return value


def _location(item, memo):
    """``item.location`` as ``(path, 1-based line)``. pytest's own ``Function`` finds
    it from its function alone (``reportinfo``): one lookup serves all its items."""
    def compute():
        loc = item.location
        return loc[0], (loc[1] + 1 if loc[1] is not None else None)

    from _pytest.python import Function

    if type(item) is Function:
        func = getattr(item.obj, "__func__", item.obj)
        return _memo(memo, ("location", id(func)), func, compute)
    return compute()


def _item_to_json(item, memo=None):
    memo = {} if memo is None else memo
    try:
        path, lineno = _location(item, memo)
    except Exception:
        path, lineno = None, None
    parent = item.parent
    if parent is None:
        chain = [[type(n).__name__, n.name] for n in item.listchain()[1:]]
    else:
        chain = _memo(memo, ("chain", id(parent)), parent,
                      lambda: [[type(n).__name__, n.name] for n in parent.listchain()[1:]])
        chain = [*chain, [type(item).__name__, item.name]]
    return {
        "nodeid": str(item.nodeid),
        "chain": chain,
        "path": path,
        "lineno": lineno,
        "marks": [_mark_to_json(m) for m in item.iter_markers()],
        "keywords": _keywords(item),
        "run": _run_spec(item, memo),
    }


def _run_spec(item, memo=None):
    """What the native engine needs to run ``item`` as pytest would, or ``None``.

    The engine finds the function by its names along the chain and rebuilds each
    parameter set itself, so it needs only which argvalue of which ``parametrize``
    mark (in ``iter_markers`` order, as pytest's ``pytest_generate_tests`` reads them)
    and which ``params`` entry of which function-scoped fixture the item got, plus the
    fixtures of its closure that no conftest, module or class defines. Anything else
    (a ``pytest_generate_tests`` hook's parametrization, direct parameters with a higher
    scope, item classes of plugins) leaves the item to the pytest engine.
    """
    try:
        return _run_spec_of(item, {} if memo is None else memo)
    except Exception:
        return None


def _run_spec_of(item, memo):
    from _pytest.doctest import DoctestItem, DoctestModule, DoctestTextfile
    from _pytest.python import Function
    from _pytest.unittest import TestCaseFunction

    if type(item) is DoctestItem:
        # The engine finds a doctest by its name with pytest's own finder, as for the
        # doctests discovery proves (`Engine.prepare_doctest`).
        if type(item.parent) not in (DoctestModule, DoctestTextfile):
            return None
        if any(type(n).__name__ not in ("Dir", "Package") for n in item.listchain()[1:-2]):
            return None
        return {"callspec": [], "external_fixtures": _external_fixtures(item, memo),
                "fixtures": list(getattr(item, "fixturenames", ()))}
    if type(item) not in (Function, TestCaseFunction):
        return None
    parent = item.parent
    if not _memo(memo, ("collectors", id(parent)), parent, lambda: _engine_collectors(parent)):
        return None
    if type(item) is Function and not _binds_its_function(item):
        return None
    name = getattr(item, "originalname", item.name)
    if not _memo(memo, ("bound", id(parent), name), parent, lambda: _bound_at_import(item)):
        return None
    # anyio's plugin runs the test and its async fixtures when the closure has its
    # `anyio_backend` (a test the discovery-side check missed: inherited from a module
    # that names anyio): the pytest engine, which has its hooks.
    if "anyio_backend" in getattr(item, "fixturenames", ()):
        return None
    # pytest-trio runs the tests marked `trio` (and their async fixtures) itself.
    if item.get_closest_marker("trio") is not None and item.config.pluginmanager.hasplugin("trio"):
        return None
    # time-machine's collection hook gives the items marked `time_machine` its fixture
    # (the pytest engine's collection calls it).
    if item.get_closest_marker("time_machine") is not None and item.config.pluginmanager.hasplugin("time_machine"):
        return None
    callspec = getattr(item, "callspec", None)
    entries = []
    if callspec is not None:
        entries = _callspec_entries(item, callspec)
        if entries is None:
            return None
    spec = {"callspec": entries, "external_fixtures": _external_fixtures(item, memo),
            "fixtures": list(getattr(item, "fixturenames", ()))}
    changed = _MODIFIED.get(id(item))
    if changed is not None:
        if changed[0] is not item or changed[1] is None:
            return None
        spec["added_marks"] = changed[1]
    return spec


def _engine_collectors(parent):
    """Whether the collectors down to ``parent`` are pytest's own, as the engine walks
    them, with no parametrization hook or plugins of their own."""
    kinds = {"Dir", "Package", "Module", "Class", "UnitTestCase"}
    for node in parent.listchain()[1:]:
        kind = type(node).__name__
        # pytest's own collectors (a conftest's subclass of one, which a collection
        # hook may make, is another collector).
        if kind not in kinds or not type(node).__module__.startswith("_pytest."):
            return False
        if kind in ("Module", "Class") and hasattr(node.obj, "pytest_generate_tests"):
            return False
        # A test module's `pytest_plugins` registers plugins whose fixtures and hooks
        # only pytest's session has.
        if kind == "Module" and hasattr(node.obj, "pytest_plugins"):
            return False
    return True


def _binds_its_function(item):
    """Whether ``item`` calls the function its module or class binds under its name, as
    the engine finds it (a ``pytest_pycollect_makeitem`` hook may give an item another
    callable)."""
    def unbound(f):
        return getattr(f, "__func__", f)

    owner = item.parent.obj
    return unbound(item.obj) is unbound(getattr(owner, item.originalname, None))


#: A test module's path -> the names it bound when its import finished (taken before
#: the first ``pytest_pycollect_makeitem`` implementation runs for it, see
#: ``_modify_watch``). The native engine imports the module and looks each item's class
#: or function up by name: one a collection hook bound later (SQLAlchemy's plugin makes
#: a subclass per database backend) is not there.
_IMPORTED_NAMES = {}


def _bound_at_import(item):
    """Whether the name under the item's module (its class, or its function) was bound
    by the module's import."""
    chain = item.listchain()
    for i, node in enumerate(chain[:-1]):
        if type(node).__name__ == "Module":
            names = _IMPORTED_NAMES.get(str(node.path))
            top = chain[i + 1]
            name = top.name if top is not item else getattr(item, "originalname", item.name)
            return names is None or name in names
    return True


#: ``id(item)`` -> ``(item, added marks)`` for the items a ``pytest_collection_modifyitems``
#: implementation changed: the marks it added (JSON, ``_encode_mark``), or ``None`` when
#: it changed anything the native engine cannot redo (then the pytest engine runs it).
_MODIFIED = {}


def _item_state(item, collectors):
    """What ``pytest_collection_modifyitems`` may change on an item, to compare after it:
    its marks, its keywords and its attributes. The marks of its collectors go into
    ``collectors`` (``id`` -> ``(node, marks)``), once for all their items."""
    node = item.parent
    while node is not None and id(node) not in collectors:
        collectors[id(node)] = (node, list(node.own_markers))
        node = node.parent
    return (
        list(item.own_markers),
        dict(item.keywords._markers),
        {k: v for k, v in vars(item).items() if k not in ("own_markers", "keywords")},
    )


def _changed_collectors(collectors):
    """The ``id`` of each collector in ``collectors`` (see ``_item_state``) whose marks
    changed since."""
    return {key for key, (node, marks) in collectors.items() if node.own_markers != marks}


def _modified(item, before, changed, memo):
    """The marks ``item`` gained since ``before`` (``_item_state``) as
    ``[[position, mark], ...]`` (position ``0``: put first by ``append=False``; ``1``:
    appended), ``[]`` for none, ``None`` when anything else changed (``changed``: the
    collectors whose marks did, see ``_changed_collectors``)."""
    old, keywords, attrs = before
    parent = item.parent
    if changed and parent is not None and _memo(
        memo, ("changed", id(parent)), parent,
        lambda: any(id(n) in changed for n in parent.listchain()),
    ):
        return None
    now = item.own_markers
    # `add_marker` only appends or inserts at the front: the old marks stay together.
    start = next(
        (i for i in range(len(now) - len(old) + 1)
         if all(now[i + j] is m for j, m in enumerate(old))),
        None,
    )
    if start is None:
        return None
    added = []
    for position, marks in ((0, now[:start]), (1, now[start + len(old):])):
        for mark in marks:
            encoded = _encode_mark(mark)
            if encoded is None:
                return None
            added.append([position, encoded])
    names = {m.name for m in now[:start]} | {m.name for m in now[start + len(old):]}
    current = item.keywords._markers
    if any(k not in keywords and k not in names for k in current):
        return None
    if any(k not in current or current[k] is not v for k, v in keywords.items() if k not in names):
        return None
    attrs_now = vars(item)
    for k in attrs_now:
        if k in attrs or k in ("own_markers", "keywords"):
            continue
        # Reading a cached property (pytest's `Item.location`: a hook reading
        # `item.location[0]`) stores its value: no change.
        if not isinstance(getattr(type(item), k, None), functools.cached_property):
            return None
    if any(attrs_now.get(k, _MISSING) is not v for k, v in attrs.items()):
        return None
    return added


_MISSING = object()


def _modify_watch():
    """A plugin around every ``pytest_collection_modifyitems`` implementation: which
    items they changed and how (``_MODIFIED``); and before the
    ``pytest_pycollect_makeitem`` ones of a module, what its import bound
    (``_IMPORTED_NAMES``)."""
    import pytest

    class ModifyWatch:
        @pytest.hookimpl(tryfirst=True)
        def pytest_pycollect_makeitem(self, collector):
            # The module's names before any implementation made an item of one. (Not a
            # wrapper: its frame would show in the tracebacks of the others' errors.)
            if type(collector).__name__ == "Module":
                try:
                    names = frozenset(vars(collector.obj))
                except Exception:
                    names = None
                if names is not None:
                    _IMPORTED_NAMES.setdefault(str(collector.path), names)

        @pytest.hookimpl(wrapper=True)
        def pytest_collection_modifyitems(self, config, items):
            import gc

            # pytest's own implementations (deselection, `--lf`, fixture reordering)
            # change no item: only another plugin's or a conftest's are watched.
            hook = config.pluginmanager.hook.pytest_collection_modifyitems
            foreign = [
                impl for impl in hook.get_hookimpls()
                if impl.plugin is not self
                and not str(getattr(impl.plugin, "__name__", "")).startswith("_pytest.")
            ]
            if not foreign:
                return (yield)
            before, collectors = {}, {}
            enabled = gc.isenabled()
            gc.disable()  # (see `_Recorder.pytest_collection_finish`)
            try:
                for item in items:
                    try:
                        before[id(item)] = (item, _item_state(item, collectors))
                    except Exception:
                        before[id(item)] = (item, None)
            finally:
                if enabled:
                    gc.enable()
            result = yield
            enabled = gc.isenabled()
            gc.disable()
            try:
                try:
                    changed = _changed_collectors(collectors)
                except Exception:
                    changed = None
                memo = {}
                for key, (item, state) in before.items():
                    try:
                        added = (None if state is None or changed is None
                                 else _modified(item, state, changed, memo))
                    except Exception:
                        added = None
                    if added != []:
                        _MODIFIED[key] = (item, added)
            finally:
                if enabled:
                    gc.enable()
            return result

    return ModifyWatch()


def _encode_value(value):
    """A mark argument as JSON the engine decodes back to an equal value (lists, tuples
    and dicts tagged), or raise ``TypeError`` for anything else (a class, a function)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and type(value) is int:
        return value
    if type(value) is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError("non-finite float")
        return value
    if type(value) in (list, tuple):
        return {type(value).__name__: [_encode_value(v) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"dict": {k: _encode_value(v) for k, v in value.items()}}
    raise TypeError(type(value).__name__)


def _encode_mark(mark):
    try:
        return {
            "name": mark.name,
            "args": _encode_value(tuple(mark.args)),
            "kwargs": _encode_value(dict(mark.kwargs)),
        }
    except TypeError:
        return None


#: ``(id(function), id(parent))`` -> ``(function, parent, facts)``: a function's
#: parametrize marks are read once, not once per item (N parameter sets, N items); the
#: objects are kept so their ids stay theirs for the worker's life.
_MARKS_OF = {}


def _marks_of(item, func):
    """The ``parametrize`` marks pytest applies to ``func`` under ``item.parent``, in
    ``iter_markers`` order: ``(count, [(argnames, parameter sets)], argname -> mark
    index, indirect argnames)``, or ``None`` when the engine could not rebuild them."""
    import warnings
    from collections.abc import Collection

    from _pytest.mark.structures import ParameterSet, get_unpacked_marks

    key = (id(func), id(item.parent))
    hit = _MARKS_OF.get(key)
    if hit is not None and hit[0] is func and hit[1] is item.parent:
        return hit[2]
    marks = [m for m in get_unpacked_marks(func) if m.name == "parametrize"]
    marks += list(item.parent.iter_markers(name="parametrize"))
    owner, parsed, indirect = {}, [], set()
    facts = (len(marks), parsed, owner, indirect)
    for k, mark in enumerate(marks):
        if len(mark.args) < 2 or "scope" in mark.kwargs:
            facts = None
            break
        argvalues = mark.args[1]
        if not isinstance(argvalues, Collection):
            # An iterator pytest consumed: the parameter sets it made of it (the same
            # objects, so `_callspec_entries` can check the items' values against them).
            hit = _ITERATED.get(id(argvalues))
            if hit is None or hit[0] is not argvalues:
                facts = None
                break
            argvalues = hit[1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            argnames, psets = ParameterSet._for_parametrize(
                mark.args[0], argvalues, func, item.config, item.nodeid
            )
        parsed.append((argnames, psets))
        flag = mark.kwargs.get("indirect", False)
        for name in argnames:
            owner.setdefault(name, k)
            if flag is True or (isinstance(flag, (list, tuple)) and name in flag):
                indirect.add(name)
    _MARKS_OF[key] = (func, item.parent, facts)
    return facts


def _callspec_entries(item, callspec):
    """``item``'s parametrization as ``[source, key, set]`` entries, or ``None``.

    pytest renumbers direct parameters (``_recompute_direct_params_indices``): their
    ``indices`` hold the item's position in the function's product of calls, not the
    argvalue's. So that position is split back into one index per ``parametrize`` call
    (pytest extends the product call by call, the last call varying fastest), and
    every direct value is checked to be the very object at that index.
    """
    from _pytest.scope import Scope

    if any(m.name == "parametrize" for m in callspec.marks):
        return None
    # pytest-lazy-fixtures' values (`lf("name")`) are resolved by its
    # `pytest_fixture_setup` and `pytest_generate_tests`: the pytest engine's.
    if any(type(v).__module__.startswith("pytest_lazy_fixtures") for v in callspec.params.values()):
        return None
    func = getattr(item, "function", None) or item.obj
    marks = _marks_of(item, func)
    if marks is None:
        return None
    nmarks, parsed, owner, indirect = marks
    # A higher scope reaches the engine through the fixtures that take the parameter
    # (indirect, or their own `params`): it sets them up again when their parameter
    # changes, and their dependents with them, in the order pytest's collection chose.
    # A direct parameter with a higher scope (`scope=`) is a fixture only pytest has.
    if any(scope is not Scope.Function and name in owner and name not in indirect
           for name, scope in callspec._arg2scope.items()):
        return None
    defs = item._fixtureinfo.name2fixturedefs
    # The calls, in pytest's order: (source, key, size, argnames).
    calls = []
    for name in callspec.params:
        k = owner.get(name)
        if k is not None:
            if not calls or calls[-1][:2] != ("mark", k):
                calls.append(("mark", k, len(parsed[k][1]), parsed[k][0]))
            continue
        fds = defs.get(name)
        if not fds or fds[-1].params is None:
            return None  # a pytest_generate_tests hook's parametrization
        calls.append(("fixture", name, len(fds[-1].params), [name]))
    if len({(c[0], c[1]) for c in calls}) != len(calls) or sum(c[0] == "mark" for c in calls) != nmarks:
        return None
    direct = [n for n in callspec.params if n in owner and n not in indirect]
    position = callspec.indices[direct[0]] if direct else None
    picks = [None] * len(calls)
    for i in reversed(range(len(calls))):
        source, key, size, names = calls[i]
        if size <= 0:
            return None
        if position is not None:
            picks[i] = position % size
            position //= size
        if source == "fixture" or all(n in indirect for n in names):
            own = callspec.indices[names[0]]
            if picks[i] is not None and picks[i] != own:
                return None
            picks[i] = own
    entries = []
    for (source, key, _size, names), j in zip(calls, picks):
        if source == "mark":
            values = parsed[key][1][j].values
            for pos, name in enumerate(names):
                if name not in indirect and values[pos] is not callspec.params[name]:
                    return None
            values = _literal_repr(values)
            if values is not None:
                entries.append([source, key, j, values])
                continue
        entries.append([source, key, j])
    return entries


_LITERALS = (str, bytes, int, float, complex, type(None))


def _literal_repr(values):
    """The repr of a parameter set's values when each is a literal (or a tuple of
    them), else ``None``: what the engine finds the set by when the worker iterates the
    argvalues in another order (a ``set`` of strings, ordered by the process's hashes)."""
    def literal(v, depth=0):
        if type(v) in _LITERALS or type(v) is bool:
            return True
        return type(v) is tuple and depth < 3 and all(literal(x, depth + 1) for x in v)

    if not all(literal(v) for v in values):
        return None
    text = repr(tuple(values))
    return text if len(text) <= 1000 else None


def _external_fixtures(item, memo=None):
    """Names in the closure whose reachable definition is a builtin's or a plugin's
    (or none), as discovery's static closure reports them: the walk goes through the
    definitions of conftests, modules and classes, not into external ones, and direct
    parameters are not fixtures."""
    memo = {} if memo is None else memo
    info = item._fixtureinfo
    callspec = getattr(item, "callspec", None)
    params = frozenset(callspec.params) if callspec is not None else frozenset()
    # The items of one function share its closure (`_fixtureinfo`).
    return _memo(memo, ("external", id(info), params), info,
                 lambda: _external_of(item, info, params, memo))


def _external_of(item, info, params, memo):
    config = item.config
    conftest_files = _memo(memo, ("conftest_files",), config, lambda: {
        getattr(m, "__file__", None) for m in config.pluginmanager._conftest_plugins})

    def local(fd):
        if fd.baseid:
            return True  # a module's, a class's or a conftest's below the rootdir
        code = getattr(fd.func, "__code__", None)
        return code is not None and code.co_filename in conftest_files

    out, seen = [], set()
    todo = list(info.initialnames)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        fds = info.name2fixturedefs.get(name)
        if name in params and (not fds or type(fds[-1]).__name__ == "DirectParamFixtureDef"):
            continue
        if not fds:
            out.append(name)
            continue
        i = len(fds) - 1
        while i > 0 and name in fds[i].argnames:
            i -= 1
        if (i == 0 and name in fds[0].argnames) or not local(fds[i]):
            out.append(name)  # past every definition, or a builtin's or plugin's
            continue
        for fd in fds[i:]:
            todo.extend(a for a in fd.argnames if a != name)
    return out


def _str_or_none(value):
    try:
        return str(value)
    except Exception:
        return None


#: pytest's hook marker, without importing pytest before the worker's start.
_hookimpl = __import__("pluggy").HookimplMarker("pytest")


class _Recorder:
    """pytest plugin that records what the terminal reporter would print."""

    def __init__(self, invocation_dir):
        self.invocation_dir = invocation_dir
        self.config = None
        # The `-p` modules, as `conftest_plugins` finds them.
        self.cli = []
        self.items = []
        self.numcollected = 0
        self.errors = []
        self.skipped = []
        self.raw_warnings = []  # (raw message, nodeid, fslocation, when, category)
        self.deselected = []
        # Those a plugin or conftest hook deselected (not pytest's `-k`, `-m` and
        # `--deselect`, which the coordinator can tell from the command line).
        self.hook_deselected = []
        self.internal_errors = []
        self.interrupted = None
        # File collectors whose collection passed, each with how many items were
        # collected when it reported; and the files items were collected from. Those
        # with no item are imported all the same (`empty_files`).
        self._file_reports = {}
        self._files_collected = []
        self._item_files = set()
        self.shouldfail = None
        self.shouldstop = None
        self.rootdir = None
        self.walked = set()
        self.import_tagging = False
        self.import_warnings = []
        self.import_codes = {}
        self.problems = []  # the worker's own failures while describing things
        self.visited_dirs = set()  # directories pytest's collection looked into

    # -- helpers ---------------------------------------------------------

    def _writer(self, markup=False):
        """A TerminalWriter over a StringIO, as wide as pytest's own.

        Plain unless ``markup``, which copies the colour and code-highlight
        settings of pytest's own writer.
        """
        import io

        from _pytest._io import TerminalWriter

        tw = TerminalWriter(file=io.StringIO())
        tw.hasmarkup = False
        tw.code_highlight = False
        reporter = self._reporter()
        if reporter is not None:
            try:
                tw.fullwidth = reporter._tw.fullwidth
                if markup:
                    tw.hasmarkup = reporter._tw.hasmarkup
                    tw.code_highlight = reporter._tw.code_highlight
            except Exception:
                pass
        return tw

    def _reporter(self):
        if self.config is None:
            return None
        return self.config.pluginmanager.get_plugin("terminalreporter")

    def _pytest_colours(self):
        reporter = self._reporter()
        return bool(reporter is not None and getattr(getattr(reporter, "_tw", None), "hasmarkup", False))

    def _render_body(self, rep, markup):
        """The ERRORS-section body of ``rep``: TerminalReporter._outrep_summary."""
        tw = self._writer(markup)
        reporter = self._reporter()
        try:
            saved = reporter._tw
            reporter._tw = tw
            try:
                reporter._outrep_summary(rep)
            finally:
                reporter._tw = saved
        except Exception:  # no terminal reporter (-p no:terminal) or API drift
            tw = self._writer(markup)
            rep.toterminal(tw)
            showcapture = getattr(self.config.option, "showcapture", "all")
            if showcapture != "no":
                for secname, content in rep.sections:
                    if showcapture != "all" and showcapture not in secname:
                        continue
                    tw.sep("-", secname)
                    tw.line(content[:-1] if content[-1:] == "\n" else content)
        return tw._file.getvalue()

    def _render_error(self, rep):
        reporter = self._reporter()
        try:
            head_line = reporter._getfailureheadline(rep)
        except Exception:
            head_line = rep.head_line or "test session"
        headline = ("ERROR collecting " + head_line) if rep.when == "collect" else f"ERROR at {rep.when} of {head_line}"
        # fastest asks for colours with `--color` when its own output has them: the
        # texts are then pytest's coloured ones (the JUnit text stays plain).
        colours = self._pytest_colours()
        longrepr = self._render_body(rep, markup=colours)
        try:
            from _pytest.terminal import _get_line_with_reprcrash_message

            tw = self._writer(markup=colours)
            line = _get_line_with_reprcrash_message(self.config, rep, tw, {"red": True})
            word = tw.markup("ERROR", red=True) + " "
            summary = line[len(word) :] if line.startswith(word) else line
        except Exception:  # e.g. -p no:terminal (no pytest_report_teststatus)
            summary = self._plain_summary(rep)
        crash = getattr(rep.longrepr, "reprcrash", None)
        return {
            "nodeid": str(rep.nodeid),
            "headline": headline,
            "longrepr": longrepr,
            "summary": summary,
            "message": None if crash is None else str(crash.message),
            "junit": _str_or_none(rep.longrepr),
        }

    def _plain_summary(self, rep):
        """Fallback for the short-summary text: cwd-relative id, " - ", crash message."""
        node = str(rep.nodeid)
        try:
            node = str(self.config.cwd_relative_nodeid(getattr(rep, "id", rep.nodeid)))
        except Exception:
            pass
        lr = rep.longrepr
        msg = lr if isinstance(lr, str) else getattr(getattr(lr, "reprcrash", None), "message", None)
        if msg:
            node += " - " + msg.split("\n", 1)[0]
        return node

    def _skip_to_json(self, rep):
        out = {"nodeid": str(rep.nodeid)}
        lr = rep.longrepr
        if isinstance(lr, tuple) and len(lr) == 3:
            fspath, lineno, reason = lr
            try:
                from pathlib import Path

                from _pytest.pathlib import bestrelpath

                start = self.config.invocation_params.dir if self.config else Path(self.invocation_dir)
                rel = bestrelpath(start, Path(fspath))
            except Exception:
                rel = str(fspath)
            reason = str(reason)
            shown = reason[len("Skipped: ") :] if reason.startswith("Skipped: ") else reason
            where = f"{rel}:{lineno}" if lineno is not None else rel
            out.update(longrepr=reason, summary=f"{where}: {shown}", path=rel, lineno=lineno, reason=reason)
            out["fspath"] = str(fspath)
        else:
            out.update(longrepr=str(lr), summary=None, path=None, lineno=None, reason=str(lr))
        out["junit"] = _str_or_none(lr)
        return out

    # -- hooks -----------------------------------------------------------

    def pytest_sessionstart(self, session):
        # Files the real session reaches by walking a directory are no initial paths
        # there: pytest then collects them by `python_files` alone (no `Module` for a
        # file only `--doctest-modules` takes) and reads a text file as a doctest only
        # by `--doctest-glob`.
        walked = self.walked
        if not walked:
            return
        original = session.isinitpath

        def isinitpath(path, *, with_parents=False):
            if os.path.normcase(os.fspath(path)) in walked:
                return False
            return original(path, with_parents=with_parents)

        session.isinitpath = isinitpath

    def pytest_configure(self, config):
        self.config = config
        try:
            self.rootdir = str(config.rootpath)
        except Exception:
            pass

    def pytest_warning_recorded(self, warning_message, when, nodeid):
        try:
            from _pytest.warnings import warning_record_to_str

            raw = warning_record_to_str(warning_message)
        except Exception as e:
            self.problems.append(f"cannot format warning {warning_message!r}: {e!r}")
            raw = f"{warning_message.filename}:{warning_message.lineno}: {warning_message.category.__name__}: {warning_message.message}\n"
        category = getattr(warning_message.category, "__name__", None)
        imported = module = None
        if self.import_tagging:
            kind, where = next(
                ((k, p) for m, k, p in self.import_warnings if m is warning_message.message), (None, None)
            )
            imported = where if kind == "import" else False
            module = where if kind == "collect" else None
        self.raw_warnings.append(
            (raw, nodeid, (warning_message.filename, warning_message.lineno), when, category, imported, module)
        )

    def pytest_collectreport(self, report):
        ne, ns = len(self.errors), len(self.skipped)
        self._collectreport(report)
        for entry in self.errors[ne:] + self.skipped[ns:]:
            entry["seq"] = ne + ns
        collector = self._file_reports.pop(report.nodeid, None)
        if collector is not None and report.passed:
            self._files_collected.append((collector, self.numcollected))


    def pytest_itemcollected(self, item):
        self._item_files.add(item.nodeid.split("::")[0])

    def empty_files(self):
        """The files collected without an item (imported all the same), as stand-in items
        (the chain down to the module, then a nameless item) with the number of items
        collected before them."""
        out, seen = [], set()
        for collector, seq in self._files_collected:
            nodeid = collector.nodeid
            if nodeid in self._item_files or nodeid in seen:
                continue
            seen.add(nodeid)
            chain = [[type(n).__name__, str(n.name)] for n in collector.listchain()[1:-1]]
            # A Python module (its doctests' too) is imported; a text file's doctests
            # (`--doctest-glob`) or a plugin's file are only read.
            from _pytest.python import Module

            kind = type(collector).__name__
            if isinstance(collector, Module) and kind != "DoctestTextfile":
                kind = "Module"
            chain += [[kind, str(collector.name)], ["Function", ""]]
            out.append([{"nodeid": nodeid, "chain": chain}, seq])
        return out

    def _collectreport(self, report):
        if report.failed:
            try:
                self.errors.append(self._render_error(report))
            except Exception as e:  # never lose the error itself
                self.problems.append(f"cannot render collection error {report.nodeid!r}: {e!r}")
                self.errors.append(
                    {
                        "nodeid": str(report.nodeid),
                        "headline": f"ERROR collecting {report.nodeid}",
                        "longrepr": str(report.longrepr) + "\n",
                        "summary": f"{report.nodeid} (fastest: cannot render: {e!r})",
                    }
                )
        elif report.skipped:
            try:
                self.skipped.append(self._skip_to_json(report))
            except Exception as e:
                self.problems.append(f"cannot describe skip {report.nodeid!r}: {e!r}")
                text = str(report.longrepr)
                self.skipped.append(
                    {"nodeid": str(report.nodeid), "longrepr": text, "summary": None, "path": None, "lineno": None, "reason": text}
                )
        from _pytest.nodes import Item

        self.numcollected += sum(1 for x in report.result if isinstance(x, Item))

    def pytest_deselected(self, items):
        ids = [str(i.nodeid) for i in items]
        self.deselected.extend(ids)
        # Who asked: the first caller outside pluggy and this module.
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("pluggy", __name__)
        ):
            frame = frame.f_back
        caller = frame.f_globals.get("__name__", "") if frame is not None else ""
        if caller not in ("_pytest.mark", "_pytest.main"):
            self.hook_deselected.extend(ids)

    def pytest_addoption(self, parser):
        # Called when this plugin registers: after pytest's own plugins, before
        # installed plugins and conftests add theirs.
        self.builtin_dests = {o.dest for o in parser._anonymous.options}
        self.builtin_dests.update(o.dest for g in parser._groups for o in g.options)
        self.builtin_ini = set(parser._inidict)

    def marker_names(self):
        """The registered markers' names, as pytest's ``MarkGenerator`` reads them."""
        if self.config is None:
            return []
        lines = self.config.getini("markers")
        return [line.split(":")[0].split("(")[0].strip() for line in lines]

    def added_options(self):
        """The options installed plugins and conftests added (`pytest_addoption`): each
        option string's dest and each dest's value, and each ini key's type and default
        (`parser.addini`), for the native engine's config; `None` when a value or
        default is not JSON, or a key's type is none of pytest's tags or plain types
        (the native engine cannot stand in)."""
        config = self.config
        builtin = getattr(self, "builtin_dests", None)
        if config is None or builtin is None:
            return None
        kinds = {str: "string", bool: "bool", int: "int", float: "float"}
        ini = {}
        for name, entry in config._parser._inidict.items():
            if name in getattr(self, "builtin_ini", ()):
                continue
            _help, kind, default = entry
            kind = kind if isinstance(kind, str) else kinds.get(kind)
            if kind is None:
                return None
            try:
                ini[name] = [kind, _encode_value(default)]
            except TypeError:
                return None
        parser = config._parser
        dests, values = {}, {}
        for option in [*parser._anonymous.options, *(o for g in parser._groups for o in g.options)]:
            if option.dest in builtin:
                continue
            for name in option.names():
                dests[name] = option.dest
            try:
                values[option.dest] = _encode_value(getattr(config.option, option.dest, None))
            except TypeError:
                return None
        return {"dests": dests, "values": values, "ini": ini}

    def conftest_plugins(self):
        """The modules the conftests' ``pytest_plugins`` registered, beyond pytest's own
        plugins: ``[[conftest file, [[name, file, [hooks]], ...]], ...]``, conftests in
        pytest's order of registration, each one's modules in pytest's (depth first: a
        module's own ``pytest_plugins`` right after it). A name pytest did not register
        under that name (an installed plugin's module, say) has ``None`` for file."""
        config = self.config
        if config is None:
            return []
        import types

        from _pytest.config import _get_plugin_specs_as_list, builtin_plugins

        pm = config.pluginmanager
        conftests = pm._conftest_plugins
        out, seen = [], set()

        def walk(module, into):
            for name in _get_plugin_specs_as_list(getattr(module, "pytest_plugins", [])):
                if name in builtin_plugins or name in seen:
                    continue
                seen.add(name)
                plugin = pm.get_plugin(name)
                if plugin is None or not isinstance(plugin, types.ModuleType):
                    into.append([name, None, []])
                    continue
                hooks = sorted({h.name for h in pm.get_hookcallers(plugin) or ()})
                into.append([name, getattr(plugin, "__file__", None), hooks])
                walk(plugin, into)

        # `-p` modules register first: reported under no conftest (`cli_plugins`).
        cli = []
        named = [p for p in (getattr(config.option, "plugins", None) or []) if not p.startswith("no:")]
        # Then `$PYTEST_PLUGINS` (pytest's `consider_env`).
        named += [p.strip() for p in os.environ.get("PYTEST_PLUGINS", "").split(",") if p.strip()]
        holder = types.SimpleNamespace(pytest_plugins=named)
        walk(holder, cli)
        self.cli = cli
        for _, plugin in pm.list_name_plugin():
            if plugin in conftests and getattr(plugin, "pytest_plugins", None):
                modules = []
                walk(plugin, modules)
                if modules:
                    out.append([getattr(plugin, "__file__", None), modules])
        return out

    def cli_plugins(self):
        """The ``-p`` modules (see ``conftest_plugins``, which finds them)."""
        return self.cli

    def pytest_collection_finish(self, session):
        import gc

        # Describing every item allocates much and frees little: the cyclic collector's
        # passes over the session's objects (a full one ever more often) cost more than
        # the descriptions (packaging's 51,000 items: most of the time). It is
        # suspended meanwhile; what it would have found is collected later all the same.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._describe(session)
        finally:
            # The session and the descriptions live until the worker exits: pytest's
            # full collections at its unconfigure (`gc_collect_harder`, five of them)
            # need not walk them again.
            gc.freeze()
            if enabled:
                gc.enable()

    def _describe(self, session):
        items = []
        memo = {}
        for item in session.items:
            try:
                items.append(_item_to_json(item, memo))
            except Exception as e:  # a bug here must not become pytest's INTERNALERROR
                self.problems.append(f"cannot describe item {item!r}: {e!r}")
                try:
                    chain = [[type(n).__name__, str(n.name)] for n in item.listchain()[1:]]
                except Exception:
                    chain = []
                items.append({"nodeid": str(item.nodeid), "chain": chain, "path": None, "lineno": None, "marks": [], "keywords": []})
        self.items = items

    def pytest_sessionfinish(self, session):
        self.shouldfail = str(session.shouldfail) if session.shouldfail else None
        self.shouldstop = str(session.shouldstop) if session.shouldstop else None

    def pytest_internalerror(self, excrepr):
        self.internal_errors.extend("INTERNALERROR> " + line for line in str(excrepr).split("\n"))

    def pytest_keyboard_interrupt(self, excinfo):
        try:
            self._record_interrupt(excinfo)
        except Exception as e:
            self.problems.append(f"cannot render interruption: {e!r}")
            self.interrupted = {"message": excinfo.exconly(), "text": ""}

    def _record_interrupt(self, excinfo):
        excrepr = excinfo.getrepr(funcargs=True)
        msg = excrepr.reprcrash.message
        text = ""
        if "KeyboardInterrupt" in msg:
            tw = self._writer(markup=True)
            if self.config is not None and self.config.option.fulltrace:
                excrepr.toterminal(tw)
            else:
                excrepr.reprcrash.toterminal(tw)
                tw.line("(to show a full traceback on KeyboardInterrupt use --full-trace)", yellow=True)
            text = tw._file.getvalue()
        self.interrupted = {"message": msg, "text": text}

    # -- result ----------------------------------------------------------

    def warnings_json(self):
        out = []
        for raw, nodeid, fslocation, when, category, imported, module in self.raw_warnings:
            location = None
            try:
                from _pytest.terminal import WarningReport

                wr = WarningReport(message=raw, nodeid=nodeid, fslocation=fslocation)
                if self.config is not None:
                    location = wr.get_location(self.config)
                else:
                    raise LookupError
            except Exception:
                if nodeid:
                    location = nodeid
                elif fslocation:
                    try:
                        from pathlib import Path

                        from _pytest.pathlib import absolutepath, bestrelpath

                        location = f"{bestrelpath(Path(self.invocation_dir), absolutepath(fslocation[0]))}:{fslocation[1]}"
                    except Exception:
                        location = f"{fslocation[0]}:{fslocation[1]}"
            if location:
                text = "\n".join("  " + x for x in raw.splitlines()).rstrip()
            else:
                text = raw.rstrip()
            out.append(
                {
                    "location": location and str(location),
                    "message": raw,
                    "text": text,
                    "when": when,
                    "nodeid": str(nodeid or ""),
                    "category": category,
                    "fslocation": [str(fslocation[0]), int(fslocation[1])] if fslocation else None,
                    # The file whose import raised it, false for any other collection
                    # warning, null when imports could not be watched (``tag_imports``).
                    "import": imported,
                    # For other collection warnings: the file pytest was collecting.
                    "module": module,
                }
            )
        return out

    def tag_imports(self):
        """Note which collection warnings are raised while pytest imports a test module
        (``importtestmodule``) or a conftest (``_importconftest``): a native run,
        importing the file again, issues those itself.

        pytest records collection warnings with ``warnings.catch_warnings(record=True)``
        around ``pytest_collection``, whose list receives each message through
        ``warnings._showwarnmsg_impl``. Inside that, the impl is wrapped to look up the
        stack for an import in progress (no frame is added to the imports themselves, so
        tracebacks of import errors stay pytest's). Where this cannot be set up, warnings
        stay untagged (``"import": null``)."""
        import _pytest.config
        import _pytest.python

        conftest_import = getattr(_pytest.config.PytestPluginManager, "_importconftest", None)
        module_import = getattr(_pytest.python, "importtestmodule", None)
        if conftest_import is None or module_import is None:
            return
        import _pytest.runner

        collect_one = getattr(_pytest.runner, "collect_one_node", None)
        self.import_codes = {
            module_import.__code__: "path",
            conftest_import.__code__: "conftestpath",
        }
        if collect_one is not None:
            self.import_codes[collect_one.__code__] = "collector"
        self.import_tagging = hasattr(warnings, "_showwarnmsg_impl")

    def pytest_collectstart(self, collector):
        import pytest

        if isinstance(collector, pytest.Directory):
            self.visited_dirs.add(str(collector.path))
        elif isinstance(collector, pytest.File) and collector.name != "conftest.py":
            # Its collect report comes after its children's (`empty_files`).
            self._file_reports[collector.nodeid] = collector
        # Inside pytest's `catch_warnings(record=True)` of the collection: wrap the
        # impl that feeds its list (its `__exit__` puts pytest's back). A plain hook
        # leaves no frame of ours on the stack of imports or of an INTERNALERROR.
        self._watch_imports()

    @_hookimpl(wrapper=True, trylast=True)
    def pytest_load_initial_conftests(self, early_config, parser, args):
        # The initial conftests import inside pytest's `catch_warnings` of the config
        # stage (its warnings plugin's wrapper, registered before this plugin: a
        # `trylast` wrapper is inside it): what their import warns is tagged too.
        self._watch_imports()
        return (yield)

    def _watch_imports(self):
        if not self.import_tagging:
            return
        impl = warnings._showwarnmsg_impl
        if getattr(impl, "_fastest_watch", False):
            return
        seen, codes = self.import_warnings, self.import_codes

        def keep(msg):
            # The innermost import in progress (a module or conftest), else the
            # innermost collector being collected (a warning of pytest's own collection).
            frame = sys._getframe(1)
            while frame is not None:
                name = codes.get(frame.f_code)
                if name is not None:
                    where = frame.f_locals.get(name)
                    if name == "collector":
                        where = getattr(where, "path", None)
                    if where is not None:
                        kind = "collect" if name == "collector" else "import"
                        seen.append((msg.message, kind, os.path.abspath(os.fspath(where))))
                    break
                frame = frame.f_back
            return impl(msg)

        keep._fastest_watch = True
        warnings._showwarnmsg_impl = keep



def _pytest_script_path():
    bindir = os.path.dirname(os.path.abspath(sys.executable)) if sys.executable else ""
    return os.path.join(bindir, "pytest") if bindir else "pytest"


def _format_exception(exc):
    import traceback

    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _script_exit_code(exc):
    """What the ``pytest`` script would exit with when ``exc`` escapes main()."""
    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        return 1
    if isinstance(exc, KeyboardInterrupt):
        return 130  # 128 + SIGINT: the interpreter re-raises the signal
    return 1


#: ``id(argvalues) -> (argvalues, parameter sets)``: what pytest made of an iterator
#: the first time it consumed it (see below).
_ITERATED = {}


def _record_iterated_argvalues():
    """``parametrize`` with an iterator (a generator, ``map``, ``zip``) consumes it: the
    mark holds an exhausted iterator afterwards. So that ``_marks_of`` can rebuild the
    parameter sets pytest made from it, ``ParameterSet._parse_parametrize_parameters``
    (which consumes it, one frame below the frame whose warning names pytest's
    ``metafunc.parametrize`` call) records its first answer for each argvalues object
    that is no ``Collection``; pytest still gets the original's answers, and the objects
    are kept, so their ids are never reused. A native run's import makes a fresh
    iterator, which the engine consumes once per function, as pytest does."""
    from collections.abc import Collection

    from _pytest.mark.structures import ParameterSet

    original = ParameterSet.__dict__["_parse_parametrize_parameters"].__func__

    def _parse_parametrize_parameters(argvalues, force_tuple):
        answer = original(argvalues, force_tuple)
        if not isinstance(argvalues, Collection):
            _ITERATED.setdefault(id(argvalues), (argvalues, answer))
        return answer

    ParameterSet._parse_parametrize_parameters = staticmethod(_parse_parametrize_parameters)


def _run_pytest(args, recorder, result):
    """pytest's collection, in-process; return (exitstatus, internal_error or None)."""
    try:
        import pytest
    except ImportError as e:
        return EXIT_CRASH, f"fastest: the import fallback needs pytest, but {sys.executable} cannot import it: {e}\n"
    result["pytest_version"] = pytest.__version__
    try:
        from fastest import _pyc

        _pyc.install(lambda: getattr(recorder.config, "rootpath", None))
    except Exception as e:  # only costs a rewrite in the run's worker
        recorder.problems.append(f"cannot keep rewritten modules: {e!r}")
    try:
        _record_iterated_argvalues()
    except Exception as e:  # only costs the items' run specs
        recorder.problems.append(f"cannot record iterated argvalues: {e!r}")
    try:
        recorder.tag_imports()
    except Exception as e:  # untagged warnings only cost speed (pytest runs the session)
        recorder.problems.append(f"cannot watch imports for warnings: {e!r}")
    try:  # the console script's entry point, so usage errors say "pytest"
        from _pytest.config import _main
    except ImportError:  # pytest < 9: pytest.main() is the same thing
        _main = None
    # (Called outside the except block: an exception in user code must not
    # carry our ImportError as its __context__ into pytest's tracebacks.)
    try:
        if _main is not None:
            exitstatus = _main(args=args, plugins=[recorder, _modify_watch()], prog="pytest")
        else:
            exitstatus = pytest.main(args, plugins=[recorder, _modify_watch()])
        return int(exitstatus), None
    except BaseException as e:  # noqa: BLE001 - a conftest may raise SystemExit or KeyboardInterrupt
        exitstatus = _script_exit_code(e)
        text = f"{type(e).__name__} escaped pytest's collection (the pytest script would exit {exitstatus}):\n"
        return exitstatus, text + _format_exception(e)


def collect(request):
    """Run pytest's collection as described by ``request``; return the result dict."""
    inv = request.get("invocation_dir") or os.getcwd()
    if os.getcwd() != inv:
        try:
            os.chdir(inv)
        except OSError as e:
            raise BadRequest(f"cannot chdir to invocation_dir {inv!r}: {e}") from None

    reads = _ReadWatch()
    reads.install()
    recorder = _Recorder(inv)
    recorder.walked = {os.path.normcase(os.path.abspath(p)) for p in request.get("walked") or ()}
    args = ["--collect-only", *request["pytest_args"], *request["paths"]]
    # conftests read sys.argv ("--runslow" in sys.argv): show them the
    # command line of the pytest run this collection stands for.
    saved_argv = sys.argv
    sys.argv = [_pytest_script_path(), *request["pytest_args"], *request["paths"]]
    result = {"protocol": PROTOCOL, "pytest_version": None}

    out_sink = _Sink(sys.stdout, keep=False)
    err_sink = _Sink(sys.stderr, keep=True)
    saved_out, saved_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out_sink, err_sink
    try:
        exitstatus, internal_error = _run_pytest(args, recorder, result)
    finally:
        sys.stdout, sys.stderr = saved_out, saved_err
        sys.argv = saved_argv

    stderr_text = err_sink.getvalue()
    if internal_error is None and exitstatus in (3, 4):
        # INTERNALERROR> lines (stdout in pytest) come before what pytest
        # writes to stderr afterwards ("mainloop: caught unexpected SystemExit!").
        text = "".join(line + "\n" for line in recorder.internal_errors) + stderr_text
        internal_error = text or f"pytest exited with status {exitstatus}"
    result.update(
        rootdir=recorder.rootdir,
        items=recorder.items,
        numcollected=recorder.numcollected,
        errors=recorder.errors,
        skipped=recorder.skipped,
        warnings=recorder.warnings_json(),
        deselected=recorder.deselected,
        hook_deselected=recorder.hook_deselected,
        interrupted=recorder.interrupted,
        shouldfail=recorder.shouldfail,
        shouldstop=recorder.shouldstop,
        exitstatus=exitstatus,
        stderr=stderr_text,
        worker_problems=recorder.problems,
        internal_error=internal_error,
        imported_files=_imported_files(recorder.rootdir),
        # A file added to one of them (or removed) may change the answer, whatever
        # a conftest's `pytest_ignore_collect` made of the walk.
        visited_dirs=sorted(recorder.visited_dirs),
        read_paths=reads.under(recorder.rootdir),
        added_options=_safe(recorder.added_options),
        empty_files=_safe(recorder.empty_files) or [],
        markers=_safe(recorder.marker_names) or [],
        conftest_plugins=_safe(recorder.conftest_plugins) or [],
        cli_plugins=_safe(recorder.cli_plugins) or [],
        # Where an import looks for a module (a collection error's answer may change
        # when one appears there).
        search_dirs=_search_dirs(),
    )
    return result


def _search_dirs():
    """The directories on ``sys.path`` as collection left it."""
    dirs = []
    for entry in sys.path:
        path = os.path.abspath(entry or os.getcwd())
        if path not in dirs and os.path.isdir(path):
            dirs.append(path)
    return dirs


class _ReadWatch:
    """What pytest's collection read: files opened for reading and directories listed
    (audit events ``open``, ``os.listdir``, ``os.scandir``; ``glob`` and ``pathlib``
    list through them). A conftest's ``pytest_collect_file`` may make items from any
    file's content, or from which files a directory holds: these are what a cached
    answer depends on. (An audit hook cannot be removed: this process ends after one
    collection.)"""

    def __init__(self):
        self.paths = set()
        self.on = False

    def install(self):
        sys.addaudithook(self._hook)
        self.on = True

    def _hook(self, event, args):
        if not self.on:
            return
        if event == "open":
            path, mode, flags = args
            if mode is not None:
                if "r" not in mode or "+" in mode:
                    return
            elif flags is None or flags & 3:
                return
        elif event not in ("os.listdir", "os.scandir"):
            return
        else:
            path = args[0] if args else "."
            if path is None:
                path = "."
        if isinstance(path, int):
            return
        try:
            self.paths.add(os.path.abspath(os.fsdecode(path)))
        except (TypeError, ValueError):
            pass

    def under(self, rootdir):
        """The paths under ``rootdir``, without bytecode caches and pytest's cache
        (derived from sources, or rewritten each run), and the files read outside it
        but for the interpreter's installation and the system's pseudo-files (a test
        module parametrizing over a JSON file elsewhere)."""
        self.on = False
        if not rootdir:
            return []
        prefix = os.path.join(str(rootdir), "")
        skip = {"__pycache__", ".pytest_cache"}
        system = tuple(
            os.path.join(d, "")
            for d in (*_installation_dirs(), os.sep + "proc", os.sep + "sys", os.sep + "dev")
        )
        out = []
        for p in self.paths:
            if skip.intersection(p.split(os.sep)):
                continue
            if (p + os.sep).startswith(prefix):
                out.append(p)
            elif not p.startswith(system) and os.path.isfile(p):
                out.append(p)
        return sorted(out)


def _safe(func):
    try:
        return func()
    except Exception:
        return None


def _imported_files(rootdir):
    """Source files of every module loaded from under ``rootdir`` or from outside the
    interpreter's installation (a ``-p`` plugin on ``PYTHONPATH``, an editable install
    elsewhere): the inputs this collection depended on, so fastest can cache the result
    and know when it is stale. (What is installed is the environment's, which the cache
    key holds.)"""
    if not rootdir:
        return []
    prefix = os.path.join(str(rootdir), "")
    installed = tuple(os.path.join(d, "") for d in _installation_dirs())
    files = set()
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if not isinstance(f, str) or not os.path.isabs(f):
            continue
        if f.startswith(prefix) or not f.startswith(installed):
            files.add(f)
    return sorted(files)


def _installation_dirs():
    """The interpreter's library directories: the standard library and site-packages."""
    import site
    import sysconfig

    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(name)
        if path:
            dirs.add(path)
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:
        pass
    user = getattr(site, "USER_SITE", None)
    if user:
        dirs.add(user)
    return {os.path.realpath(d) for d in dirs} | dirs


def write_result(path, result):
    import json

    data = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m fastest._collect REQUEST.json\n")
        return EXIT_BAD_REQUEST
    try:
        request = _load_request(argv[0])
        result = collect(request)
    except BadRequest as e:
        sys.stderr.write(f"fastest._collect: bad request: {e}\n")
        return EXIT_BAD_REQUEST
    try:
        write_result(request["output"], result)
    except BaseException as e:  # noqa: BLE001
        sys.stderr.write(f"fastest._collect: cannot write {request['output']!r}: {e!r}\n")
        return EXIT_CRASH
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except BaseException:  # noqa: BLE001 - report, never hang
        import traceback

        sys.stderr.write("fastest._collect: crashed:\n" + traceback.format_exc())
        code = EXIT_CRASH
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    # User code may have left non-daemon threads or atexit handlers behind;
    # the result is on disk, so leave without waiting for them.
    os._exit(code)
