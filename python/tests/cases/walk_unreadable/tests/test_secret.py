def test_unreadable_file():
    pass
