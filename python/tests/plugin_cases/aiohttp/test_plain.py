def test_sync():
    assert sum([1, 2]) == 3


def test_sync_fails():
    assert [1, 2] == [2, 1]
