"""A module fastest collects by import (a computed parameter list): the import
fallback's pytest parses the command line without the run's ``--timeout``, which still
limits the tests."""

import time

import pytest

DELAYS = [d / 10 for d in (1, 9)]


@pytest.mark.parametrize("delay", DELAYS)
def test_sleeps(delay):
    time.sleep(delay)
