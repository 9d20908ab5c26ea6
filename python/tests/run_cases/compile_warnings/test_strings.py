X = [i for i in range(3)]


def test_escape():
    assert "\s" != ""
