def test_visible():
    pass
