import os


def test_started():
    started = os.environ.get("SESSION_STARTED")
    assert started == "root"


def test_pytest_version():
    import pytest

    version = os.environ.get("PYTEST_VERSION")
    assert version == pytest.__version__


def test_current_test_variable():
    current = os.environ.get("PYTEST_CURRENT_TEST")
    assert current == "test_a.py::test_current_test_variable (call)"


def test_no_fastest_variables():
    ours = [k for k in os.environ if k.startswith("FASTEST_") and k != "FASTEST_ENGINE"]
    assert ours == []


def test_fails():
    started = os.environ.get("SUB_STARTED")
    assert started == "sub"
