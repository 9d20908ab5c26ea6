def test_pass():
    pass


def test_fail():
    assert 1 + 1 == 3
