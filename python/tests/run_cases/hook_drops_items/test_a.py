def test_keep():
    pass


def test_drop():
    pass


def test_drop_too():
    pass
