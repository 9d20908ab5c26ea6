import pytest

# The project's own fixture modules, registered as plugins: their fixtures are
# visible everywhere, below every conftest's and module's.
pytest_plugins = ["helpers.fixtures"]


@pytest.fixture(autouse=True)
def conftest_auto(request):
    request.node.stash_order = getattr(request.node, "stash_order", []) + ["conftest"]


@pytest.fixture
def overridden():
    return "conftest"
