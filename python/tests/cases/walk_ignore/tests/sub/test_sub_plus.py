def test_plus():
    pass
