def test_n(n):
    assert n < 3


def test_dropped():
    assert 0


def test_kept():
    pass
