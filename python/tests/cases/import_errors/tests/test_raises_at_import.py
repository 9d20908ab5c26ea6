raise RuntimeError("boom at import time")


def test_unreachable():
    pass
