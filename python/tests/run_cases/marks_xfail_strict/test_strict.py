import pytest


@pytest.mark.xfail(reason="expected to fail")
def test_xfail_fails():
    assert 0


@pytest.mark.xfail(reason="passes, and the ini makes that a failure")
def test_xfail_passes():
    pass


@pytest.mark.xfail(strict=False, reason="explicitly not strict")
def test_xfail_passes_not_strict():
    pass


def test_plain():
    pass
