def test_1():
    pass


def test_2():
    pass


def test_3_deselected():
    pass


def test_4():
    pass
