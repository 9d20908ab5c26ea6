def test_gen():
    pass


def test_gen_2():
    pass
