def test_suffix():
    pass
