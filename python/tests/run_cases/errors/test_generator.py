def test_yields():
    yield 1


def test_plain_in_generator_file():
    pass
