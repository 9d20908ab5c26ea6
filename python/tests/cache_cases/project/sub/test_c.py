import time


def test_c1():
    time.sleep(0.06)


def test_c2():
    pass
