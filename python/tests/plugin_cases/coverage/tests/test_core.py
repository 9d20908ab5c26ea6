from pkg import add, classify


def test_add(base):
    assert add(base, 1) == 3


def test_classify_positive():
    assert classify(5) == "positive"


class TestClassify:
    def test_negative(self):
        assert classify(-1) == "negative"
