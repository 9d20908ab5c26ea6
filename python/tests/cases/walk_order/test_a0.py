def test_a0():
    pass
