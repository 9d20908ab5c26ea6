def test_build():
    pass


def test_build_2():
    pass
