from far_plugin import STATE


def test_first():
    assert STATE.get("started") is True


def test_second():
    pass
