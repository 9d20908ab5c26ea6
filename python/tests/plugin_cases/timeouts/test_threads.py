"""pytest-timeout dumps the other threads' stacks when a test with threads running
times out: on pytest's terminal writer, captured with the phase's output."""

import threading
import time

import pytest


@pytest.mark.timeout(0.5)
def test_with_a_thread():
    t = threading.Thread(target=time.sleep, args=(2,), name="sleeper", daemon=True)
    t.start()
    time.sleep(3)
