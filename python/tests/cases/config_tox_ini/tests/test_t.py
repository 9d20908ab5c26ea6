def test_t():
    pass


def example_in_tests():
    pass
