def test_from_cfg():
    pass
