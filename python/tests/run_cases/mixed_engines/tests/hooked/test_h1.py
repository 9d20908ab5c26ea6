import pytest


@pytest.fixture(scope="module")
def resource():
    yield "r"


def test_hooked(hooked_env, hooked_session, resource, tmp_path):
    assert hooked_env == "test_hooked"
    assert hooked_session == 1


@pytest.mark.slow
def test_slow_fails(hooked_session):
    print("hooked output")
    assert hooked_session == 2


@pytest.mark.parametrize("x", [1, 2])
def test_hooked_param(x, hooked_env):
    assert hooked_env == f"test_hooked_param[{x}]"
