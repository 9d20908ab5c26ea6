import warnings


def test_passes():
    assert 1


def test_fails():
    assert [1, 2] == [1, 3]


def test_warns():
    warnings.warn(UserWarning("noted"))
