def test_before():
    pass


def test_generator():
    yield 1


def test_after():
    pass
