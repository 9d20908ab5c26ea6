import legacy_helper  # noqa: F401
import pytest

pytestmark = pytest.mark.slow


def test_legacy():
    pass
