import warnings
import pytest
warnings.warn("import-time", UserWarning)

def gen():
    yield 1
    yield 2

@pytest.mark.parametrize("x", gen())
def test_gen(x):
    pass

def test_w():
    warnings.warn("runtime", UserWarning)
