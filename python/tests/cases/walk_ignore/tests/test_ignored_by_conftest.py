def test_by_conftest():
    pass


def test_by_conftest_2():
    pass
