def test_a_slow():
    pass


def test_b():
    print("in b")
    assert False


def test_c():
    pass
