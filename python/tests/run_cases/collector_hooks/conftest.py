"""Conftest hooks that make collectors and items: pytest's collection (the import
fallback) applies them; the items of pytest's own classes run in the native engine, the
others (a custom item class, a function wrapped by the hook) in the pytest engine."""

import pytest


class Skipped(pytest.File):
    """What the hook gives a module written for a Python that does not exist yet."""

    def collect(self):
        return []


def pytest_pycollect_makemodule(module_path, parent):
    if "_py99" in module_path.name:
        return Skipped.from_parent(parent, path=module_path)
    return None


class CheckItem(pytest.Item):
    def __init__(self, *, line, **kwargs):
        super().__init__(**kwargs)
        self.line = line

    def runtest(self):
        assert self.line == "ok", f"line says {self.line!r}"

    def repr_failure(self, excinfo):
        return f"check failed: {excinfo.value}"

    def reportinfo(self):
        return self.path, 0, f"check: {self.name}"


class CheckFile(pytest.File):
    def collect(self):
        for i, line in enumerate(self.path.read_text().splitlines()):
            yield CheckItem.from_parent(self, name=f"line{i}", line=line.strip())


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".check":
        return CheckFile.from_parent(parent, path=file_path)
    return None


def _answer(func):
    def wrapper():
        assert func() == 42
    wrapper.__name__ = func.__name__
    return wrapper


def pytest_pycollect_makeitem(collector, name, obj):
    # `check_*` functions are tests too, the module's own function; `answer_*` ones are
    # tests of what they return, through a wrapper only pytest's item calls.
    if name.startswith("check_") and callable(obj):
        return [pytest.Function.from_parent(collector, name=name)]
    if name.startswith("answer_") and callable(obj):
        return [pytest.Function.from_parent(collector, name=name, callobj=_answer(obj))]
    return None
