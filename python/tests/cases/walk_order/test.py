def test_bare():
    pass
