def test_root():
    pass


def check_not_a_test_here():
    pass
