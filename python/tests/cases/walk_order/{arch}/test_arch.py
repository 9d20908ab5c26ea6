def test_arch():
    pass
