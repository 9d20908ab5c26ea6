def test_underscore_only():
    pass
