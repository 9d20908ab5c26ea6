import pytest


@pytest.mark.slowish
def test_unknown_mark():
    pass


@pytest.mark.registered
@pytest.mark.flaky_ish(reruns=2)
class TestMarked:
    def test_one(self):
        pass

    def test_two(self):
        assert 1 + 1 == 3


def test_plain():
    pass
