def test_tmp():
    pass


def test_tmp_2():
    pass
