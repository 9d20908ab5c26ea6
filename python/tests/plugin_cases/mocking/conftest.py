import pytest


@pytest.fixture
def patched_env(mocker):
    """A conftest fixture built on pytest-mock's."""
    return mocker.patch.dict("os.environ", {"FASTEST_MOCK_CASE": "1"})
