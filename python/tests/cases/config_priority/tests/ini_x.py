def test_from_ini():
    pass
