def example_basic():
    pass


def test_usage():
    pass
