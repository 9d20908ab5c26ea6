def test_sub():
    pass


def test_sub_2():
    pass
