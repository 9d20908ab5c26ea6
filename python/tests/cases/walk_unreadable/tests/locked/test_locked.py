def test_locked():
    pass
