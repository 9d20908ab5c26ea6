def test_darcs():
    pass
