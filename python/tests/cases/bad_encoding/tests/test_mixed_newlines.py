def test_mixed_a():
    pass


def test_mixed_b():
    pass
