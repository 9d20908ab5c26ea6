"""A collection hook made by a factory call (sybil's `pytest_collect_file =
Sybil(...).pytest()`): pytest registers what the call returned."""

import pytest


class RstItem(pytest.Item):
    def runtest(self):
        assert "ok" in self.path.read_text()

    def reportinfo(self):
        return self.path, 0, f"rst: {self.name}"


class RstFile(pytest.File):
    def collect(self):
        yield RstItem.from_parent(self, name="example")


def make_hook():
    def hook(file_path, parent):
        if file_path.suffix == ".rst":
            return RstFile.from_parent(parent, path=file_path)
        return None

    return hook


pytest_collect_file = make_hook()
