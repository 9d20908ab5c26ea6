def test_c_not_in_testpaths():
    pass
