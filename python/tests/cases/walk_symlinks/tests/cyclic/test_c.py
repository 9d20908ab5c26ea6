def test_cyclic():
    pass
