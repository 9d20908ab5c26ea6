def test_upper_z():
    pass
