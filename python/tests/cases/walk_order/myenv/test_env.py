def test_env():
    pass
