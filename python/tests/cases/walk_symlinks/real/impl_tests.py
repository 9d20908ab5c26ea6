def test_impl():
    pass
