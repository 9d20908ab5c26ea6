def test_no_newline():
    pass