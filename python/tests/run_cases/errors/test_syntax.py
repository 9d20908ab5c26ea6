def test_fine():
    pass


def test_broken(:
    pass
