import pytest


def test_pass():
    pass


def test_fail():
    assert 1 + 1 == 3


class TestK:
    def test_m(self):
        assert "abc" == "abd"

    def test_ok(self):
        pass


@pytest.mark.parametrize("n", [1, 2, 3])
def test_p(n):
    assert n != 2


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
