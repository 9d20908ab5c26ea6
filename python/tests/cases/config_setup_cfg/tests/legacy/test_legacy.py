def test_legacy():
    pass
