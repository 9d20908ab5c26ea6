from helper_fine import VALUE


def test_helper_value():
    assert VALUE == 1
