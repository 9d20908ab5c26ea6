def test_real():
    pass
