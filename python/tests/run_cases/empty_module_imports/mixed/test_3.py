import state_mixed


def test_flag():
    assert state_mixed.FLAGS == ["test_2_setup imported"]
