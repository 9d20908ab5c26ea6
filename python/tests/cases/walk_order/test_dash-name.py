def test_dash():
    pass
