import pytest


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".spec" and file_path.name.startswith("check"):
        return SpecFile.from_parent(parent, path=file_path)


class SpecFile(pytest.File):
    def collect(self):
        for line in self.path.read_text().splitlines():
            name, _, _ = line.partition(":")
            if name.strip():
                yield SpecItem.from_parent(self, name=name.strip())


class SpecItem(pytest.Item):
    def runtest(self):
        pass


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == "skipped_by_hook":
        return True
    return None


def pytest_collection_modifyitems(session, config, items):
    # Reverse the order of one module and deselect tests named *_deselected.
    keep, deselected = [], []
    for item in items:
        (deselected if item.name.endswith("_deselected") else keep).append(item)
    reversed_part = [i for i in keep if i.nodeid.startswith("tests/test_reversed.py")]
    others = [i for i in keep if not i.nodeid.startswith("tests/test_reversed.py")]
    # Moving one item to the end makes the --collect-only tree re-open its
    # parents (<Dir tests>, <Module test_flavours.py>) a second time.
    moved = [i for i in others if i.name == "test_flavour[vanilla]"]
    others = [i for i in others if i not in moved]
    items[:] = others + reversed_part[::-1] + moved
    if deselected:
        config.hook.pytest_deselected(items=deselected)


def pytest_generate_tests(metafunc):
    if "flavour" in metafunc.fixturenames:
        metafunc.parametrize("flavour", ["vanilla", "chocolate"])


def pytest_make_parametrize_id(config, val, argname):
    if argname == "custom":
        return f"<{val}>"
    return None
