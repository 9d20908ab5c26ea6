def test_in_a():
    pass
