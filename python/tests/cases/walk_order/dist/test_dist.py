def test_dist():
    pass
