import pytest


def test_last_one(request, pytestconfig):
    assert request.config.getoption("--level") == "3"
    assert pytestconfig.getoption("runslow") is False
    assert pytestconfig.getoption("--pair") == ("a", 1)
    assert pytestconfig.option.level == "3"


@pytest.mark.slow
def test_slow():
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_first(request, n):
    mark = request.node.get_closest_marker("tagged")
    assert mark.args == (("a", 1),)
    assert mark.kwargs == {"key": {"k": [1.5, None]}}
    assert [m.name for m in request.node.iter_markers()][:2] == ["tagged", "parametrize"]


def test_xfails():
    assert False


def test_dropped():
    raise AssertionError("deselected by the hook")


def test_plain():
    pass
