import warnings
def test_b():
    warnings.warn("in test", UserWarning)
    assert 0
