def test_helper_not_collected():
    pass
