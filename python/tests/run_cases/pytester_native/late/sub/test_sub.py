def test_sub(pytester):
    pass
