def test_main():
    pass


def test_main_2():
    pass
