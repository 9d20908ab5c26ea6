"""A module whose import takes a while: pytest spends that at collection, so no
test's setup duration includes it."""
import time

time.sleep(0.05)


def test_one():
    pass


def test_two():
    pass
