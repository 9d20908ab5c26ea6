def test_from_tox():
    pass
