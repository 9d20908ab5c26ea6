def test_hidden():
    pass


def test_hidden_2():
    pass
