def test_cvs():
    pass
