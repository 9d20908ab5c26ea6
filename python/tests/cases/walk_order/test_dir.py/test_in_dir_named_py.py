def test_in_dir_named_py():
    pass
