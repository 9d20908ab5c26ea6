def test_divides_b():
    1 / 0


def test_plain():
    pass
