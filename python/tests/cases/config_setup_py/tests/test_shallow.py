def test_shallow():
    pass
