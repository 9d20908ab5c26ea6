import pytest


@pytest.mark.parametrize("y", ["u", "v"], scope="module")
def test_c(y):
    print("c", y)


@pytest.mark.parametrize("y", ["u", "v"], scope="module")
def test_d(y):
    assert y in "uv"


@pytest.mark.parametrize("z", [1, 2], scope="class")
class TestK:
    def test_e(self, z):
        print("e", z)

    def test_f(self, z):
        assert z in (1, 2)
