def test_open():
    pass
