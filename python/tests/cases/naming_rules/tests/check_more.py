def test_in_check_file():
    pass
