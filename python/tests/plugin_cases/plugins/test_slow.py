import time

import pytest


@pytest.mark.slow
def test_needs_flag():
    assert True


@pytest.mark.timeout(1)
def test_times_out():
    time.sleep(5)


def test_quick(counter):
    counter["n"] += 1
    assert counter["n"] >= 1
