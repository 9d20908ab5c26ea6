import pytest


@pytest.fixture(autouse=True)
def add_names(doctest_namespace):
    doctest_namespace["answer"] = 42
    doctest_namespace["greeting"] = "hello"


@pytest.fixture
def thing():
    return "THING"


@pytest.fixture(scope="module")
def noisy_module():
    print("module fixture set up")
    yield "noisy"
    print("module fixture torn down")
