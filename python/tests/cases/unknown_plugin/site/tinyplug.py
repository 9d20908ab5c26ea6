"""A plugin fastest does not know, installed by an entry point: it collects an item for
the project's metadata (as pytest-checkdocs does)."""

import pytest


class ProjectItem(pytest.Item):
    def runtest(self):
        pass


def pytest_collect_file(file_path, parent):
    if file_path.name == "pyproject.toml":
        return ProjectItem.from_parent(parent, name="project")
