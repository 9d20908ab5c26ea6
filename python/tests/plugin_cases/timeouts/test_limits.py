"""pytest-timeout's limits as the plugin's own timer enforces them: the ini key, the
mark (with ``func_only``), a fixture running out of time in the setup, and the tests
after a timeout running on in the same process."""

import os
import time

import pytest

PIDS = []


@pytest.fixture
def slow_fixture():
    time.sleep(3)
    yield


@pytest.fixture
def slowish():
    time.sleep(0.7)
    yield


def test_fast():
    PIDS.append(os.getpid())


@pytest.mark.timeout(0.5)
def test_slow_call():
    time.sleep(3)


@pytest.mark.timeout(0.5)
def test_slow_setup(slow_fixture):
    pass


@pytest.mark.timeout(0.5, func_only=True)
def test_func_only_limits_the_call(slowish):
    pass


@pytest.mark.timeout(0.5, func_only=True)
def test_func_only_slow_call(slowish):
    time.sleep(2)


class TestAfter:
    @pytest.mark.timeout(0.5, method="signal")
    def test_slow_method(self):
        time.sleep(2)

    def test_same_process(self):
        assert PIDS == [os.getpid()]
