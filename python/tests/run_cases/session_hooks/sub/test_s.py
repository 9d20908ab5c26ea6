import os

import pytest


@pytest.fixture
def phase():
    current = os.environ.get("PYTEST_CURRENT_TEST")
    assert current == "sub/test_s.py::test_s (setup)"
    yield
    current = os.environ.get("PYTEST_CURRENT_TEST")
    assert current == "sub/test_s.py::test_s (teardown)"


def test_s(phase):
    started = os.environ.get("SUB_STARTED")
    assert started is None
