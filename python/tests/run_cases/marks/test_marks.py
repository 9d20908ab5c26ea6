import sys

import pytest

pytestmark = pytest.mark.smoke


@pytest.mark.skip(reason="not implemented yet")
def test_skip():
    assert False


@pytest.mark.skipif(True, reason="always skipped")
def test_skipif_bool():
    pass


@pytest.mark.skipif("sys.platform == 'no-such-platform'", reason="never true")
def test_skipif_string_false():
    pass


@pytest.mark.skipif("sys.version_info >= (3, 0)", reason="python 3")
def test_skipif_string_true():
    pass


@pytest.mark.xfail
def test_xfail_fails():
    assert 1 == 2


@pytest.mark.xfail(reason="might pass")
def test_xfail_passes():
    pass


@pytest.mark.xfail(raises=ValueError, reason="only ValueError is expected")
def test_xfail_raises_other():
    raise TypeError("wrong type")


@pytest.mark.xfail(raises=ValueError)
def test_xfail_raises_expected():
    int("x")


@pytest.mark.xfail(strict=True, reason="strict")
def test_xfail_strict_passes():
    pass


@pytest.mark.xfail(run=False, reason="would crash")
def test_xfail_not_run():
    sys.exit(1)


@pytest.mark.parametrize(
    "n",
    [1, pytest.param(0, marks=pytest.mark.xfail(reason="zero", raises=ZeroDivisionError)), 2],
)
def test_divide(n):
    assert 10 / n


@pytest.mark.slow
class TestSlow:
    @pytest.mark.skip(reason="method skip")
    def test_skipped(self):
        pass

    def test_runs(self):
        pass


@pytest.mark.xfail(reason="class xfail")
class TestBroken:
    def test_one(self):
        assert False

    def test_two(self):
        pass
