def test_legacy():
    pass


def test_legacy_2():
    pass
