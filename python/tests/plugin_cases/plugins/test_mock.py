import os


def test_patch(mocker):
    mocker.patch("os.getcwd", return_value="/nowhere")
    assert os.getcwd() == "/nowhere"


def test_spy(mocker):
    spy = mocker.spy(os.path, "join")
    os.path.join("a", "b")
    spy.assert_called_once_with("a", "b")


def test_called_with_fails(mocker):
    m = mocker.Mock()
    m(1, 2)
    m.assert_called_with(1, 3)


def test_stub(mocker, counter):
    stub = mocker.stub(name="cb")
    stub("x")
    counter["n"] += 1
    stub.assert_called_once_with("x")
