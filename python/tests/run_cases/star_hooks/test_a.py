from star_helpers import STATE


def test_started(helper_value):
    assert STATE.get("started") is True
    assert helper_value == 7


def test_setups():
    assert STATE["setups"][-1] == "test_setups"
