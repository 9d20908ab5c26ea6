def test_outside_testpaths():
    pass
