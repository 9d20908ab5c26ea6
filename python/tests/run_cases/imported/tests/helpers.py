import pytest


@pytest.fixture
def helper_fixture(tmp_path):
    (tmp_path / "x").write_text("hi")
    return tmp_path / "x"


def test_shared_helper(helper_fixture):
    assert helper_fixture.read_text() == "hi"
