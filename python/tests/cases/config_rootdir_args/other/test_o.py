def test_o():
    pass


def check_o():
    pass
