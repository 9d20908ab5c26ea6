import pytest

pytestmark = pytest.mark.integration


def test_integration():
    pass
