def test_good():
    pass


def test_good_too():
    assert [1] * 2 == [1, 1]
