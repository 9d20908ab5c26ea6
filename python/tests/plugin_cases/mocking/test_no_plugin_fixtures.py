def test_plain():
    assert 1 + 1 == 2


def test_unknown_fixture(not_a_fixture_anywhere):
    pass
