def test_b():
    pass


def test_a():
    pass
