import pkg.core


def test_zero():
    assert pkg.core.classify(0) == "zero"
