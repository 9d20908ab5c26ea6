def test_sub():
    pass


def check_sub():
    pass
