from money import Money


def test_money_differs():
    assert Money(1) == Money(2)


def test_plain_differs():
    assert [1, 2] == [1, 3]
