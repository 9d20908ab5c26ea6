def test_x():
    pass


def check_y():
    pass
