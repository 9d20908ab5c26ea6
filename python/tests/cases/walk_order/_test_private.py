def test_private():
    pass
