def test_main():
    pass


def test_skipme():
    pass


def checker():
    pass


def testing_without_underscore():
    pass
