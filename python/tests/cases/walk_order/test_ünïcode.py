def test_unicode():
    pass
