def test_p():
    pass


def check_p():
    pass
