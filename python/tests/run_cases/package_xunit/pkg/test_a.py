from pkg import CALLS


def test_setup_ran_once():
    assert CALLS == [("setup", "pkg")]


def test_still_once():
    assert len(CALLS) == 1
