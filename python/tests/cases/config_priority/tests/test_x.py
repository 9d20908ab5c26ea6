def test_from_test():
    pass
