def test_never_collected_by_default():
    pass
