def test_upper():
    pass
