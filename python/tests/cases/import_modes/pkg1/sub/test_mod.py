def test_pkg1():
    pass
