"""pytest's API as tests and fixtures reach it: what the native engine must serve."""
import pytest

pytestmark = pytest.mark.foo


def test_ini_usefixtures(request):
    assert request.node.marked
    assert "session_marker" in request.fixturenames


def test_capsys_disabled(capsys):
    with capsys.disabled():
        print("shown even under capture")
    print("captured")


def test_capfd_disabled(capfd):
    with capfd.disabled():
        print("also shown")


def test_two_capture_fixtures(capsys, capfd):
    pass


@pytest.fixture(params=["a", "b"])
def letter(request):
    return request.param


@pytest.mark.parametrize("n", [7], ids=["seven"])
def test_callspec(request, n, letter):
    spec = request.node.callspec
    assert spec.params == {"n": 7, "letter": letter}
    assert spec.id in ("a-seven", "b-seven")
    assert spec.indices["letter"] in (0, 1)


def test_node_api(request):
    assert request.node.getparent(pytest.Module).name == "test_api.py"
    assert request.node.fspath.basename == "test_api.py"
    assert "foo" in request.node.keywords
    assert request.session.testscollected >= 4
    assert isinstance(request.config.invocation_params.args, tuple)


def test_request_repr(request):
    assert request is None


def test_long_diff():
    assert list(range(30)) == list(range(1, 31))


class Bad:
    def __del__(self):
        raise ValueError("del boom")


def test_unraisable():
    b = Bad()
    del b


def test_thread_exception():
    import threading

    t = threading.Thread(target=lambda: 1 / 0, name="worker-thread")
    t.start()
    t.join()
