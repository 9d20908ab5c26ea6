def test_pkg2():
    pass
