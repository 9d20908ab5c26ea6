import pytest

pytest_plugins = "helpers.more"

ORDER = []


@pytest.fixture
def thing():
    return 42


@pytest.fixture(scope="session")
def resource():
    print("resource up")
    yield {"uses": 0}
    print("resource down")


@pytest.fixture(autouse=True)
def plugin_auto(request):
    ORDER.append(request.node.name)
    request.node.stash_order = getattr(request.node, "stash_order", []) + ["plugin"]


@pytest.fixture(params=["a", "b"])
def flavour(request):
    return request.param


@pytest.fixture
def overridden():
    return "plugin"


@pytest.fixture
def shadowed():
    return "plugin"
