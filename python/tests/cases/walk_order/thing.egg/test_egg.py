def test_egg():
    pass
