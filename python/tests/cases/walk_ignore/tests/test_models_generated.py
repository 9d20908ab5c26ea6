def test_generated():
    pass


def test_generated_2():
    pass
