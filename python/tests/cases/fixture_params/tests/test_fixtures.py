import pytest


def test_backend(backend):
    pass


def test_number(number):
    pass


def test_transitive(uses_backend):
    pass


def test_two_fixtures(backend, number):
    pass


def test_mixed(mixed):
    pass


def test_callable_ids(callable_ids):
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_fixture_then_mark(number, x):
    pass


@pytest.mark.parametrize("number", [100, 200])
def test_mark_overrides_fixture(number):
    pass


@pytest.fixture(params=[pytest.param("p1", id="first"), pytest.param("p2", marks=pytest.mark.skip)])
def local(request):
    return request.param


def test_local(local):
    pass


@pytest.fixture(name="renamed", params=["r1", "r2"])
def _renamed_fixture(request):
    return request.param


def test_renamed(renamed):
    pass


@pytest.mark.usefixtures("number")
def test_usefixtures():
    pass


def test_request_getfixturevalue(request):
    request.getfixturevalue("number")


class TestInClass:
    @pytest.fixture(params=["c1", "c2"])
    def cls_fixture(self, request):
        return request.param

    def test_class_fixture(self, cls_fixture, number):
        pass
