import pytest

pytestmark = [pytest.mark.parametrize("mod", ["m1", "m2"]), pytest.mark.slow]


def test_module_pytestmark(mod):
    pass


@pytest.mark.parametrize("x", [1])
def test_module_and_function(mod, x):
    pass
