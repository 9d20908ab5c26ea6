def test_wrong_file_name():
    pass
