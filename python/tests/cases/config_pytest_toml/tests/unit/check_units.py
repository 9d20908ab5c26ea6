def check_meters():
    pass


def test_seconds():
    pass


def helper():
    pass
