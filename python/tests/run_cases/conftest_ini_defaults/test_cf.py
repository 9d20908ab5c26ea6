import pytest

def test_fast(cfgval):
    assert cfgval == ("dflt", [], True, 3)

@pytest.mark.slow
def test_slow():
    pass

@pytest.mark.env("stage1")
def test_env():
    pass

def test_session_dir(session_dir):
    assert (session_dir / "f.txt").read_text() == "hi"

@pytest.mark.parametrize("n", range(3))
def test_n(n, request):
    assert request.config.getoption("runslow") is False or n >= 0
