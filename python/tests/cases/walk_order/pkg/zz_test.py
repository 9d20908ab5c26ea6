def test_zz():
    pass
