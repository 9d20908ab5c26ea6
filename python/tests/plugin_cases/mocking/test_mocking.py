import os
import os.path

import pytest


class Greeter:
    def greet(self, name):
        return f"hello {name}"


def test_patch_object(mocker):
    mocker.patch.object(Greeter, "greet", return_value="patched")
    assert Greeter().greet("x") == "patched"


def test_patch_undone_after_the_test():
    assert Greeter().greet("x") == "hello x"


def test_spy(mocker):
    spy = mocker.spy(Greeter, "greet")
    Greeter().greet("y")
    spy.assert_called_once()
    assert spy.spy_return == "hello y"


def test_stub(mocker):
    stub = mocker.stub(name="callback")
    stub(1, 2)
    stub.assert_called_once_with(1, 2)


def test_called_with_failure_shows_introspection(mocker):
    m = mocker.patch("os.path.exists")
    os.path.exists("/one", follow=True)
    m.assert_called_with("/two", follow=False)


def test_not_called_failure(mocker):
    m = mocker.MagicMock()
    m(3)
    m.assert_not_called()


def test_conftest_fixture_uses_mocker(patched_env):
    assert os.environ["FASTEST_MOCK_CASE"] == "1"


def test_env_restored():
    assert "FASTEST_MOCK_CASE" not in os.environ


class TestScoped:
    def test_class_mocker(self, class_mocker):
        class_mocker.patch("os.getcwd", return_value="/nowhere")
        assert os.getcwd() == "/nowhere"

    def test_class_mocker_still_active(self):
        assert os.getcwd() == "/nowhere"


def test_class_mocker_undone():
    assert os.getcwd() != "/nowhere"


def test_module_mocker(module_mocker):
    assert module_mocker is not None


@pytest.mark.parametrize("value", [1, 2])
def test_mock_call_args(mocker, value):
    m = mocker.Mock()
    m(value)
    assert m.call_args == mocker.call(value)
