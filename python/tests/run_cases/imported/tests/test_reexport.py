from .helpers import helper_fixture, test_shared_helper  # noqa: F401


def test_uses_imported_fixture(helper_fixture):
    assert helper_fixture.exists()
