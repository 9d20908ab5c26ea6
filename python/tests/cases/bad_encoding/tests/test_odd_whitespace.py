def test_formfeed():
    pass


def test_\
():
    pass


x = 1 + \
    2


def test_after_continuation():
    pass
