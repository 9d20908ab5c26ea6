import state_hooked


def test_flag():
    assert state_hooked.FLAGS == ["test_0_setup imported"]
