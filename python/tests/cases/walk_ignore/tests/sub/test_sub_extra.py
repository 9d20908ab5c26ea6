def test_sub_extra():
    pass


def test_sub_extra_2():
    pass
