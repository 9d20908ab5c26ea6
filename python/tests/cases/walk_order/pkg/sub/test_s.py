def test_s():
    pass
