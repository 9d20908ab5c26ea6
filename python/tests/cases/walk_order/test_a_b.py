def test_a_b():
    pass
