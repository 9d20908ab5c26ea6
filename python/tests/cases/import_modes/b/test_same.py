def test_in_b():
    pass
