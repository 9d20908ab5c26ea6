import sys

import pytest
from helpers import make_cases

CASES = make_cases()


@pytest.mark.parametrize("n", CASES)
def test_runtime_values(n):
    pass


@pytest.mark.parametrize("n", sorted(CASES), ids=lambda n: f"case{n}")
def test_ids_lambda(n):
    pass


if sys.version_info >= (3, 0):

    def test_under_if():
        pass

else:

    def test_under_else():
        pass


try:
    import does_not_exist  # noqa: F401
except ImportError:

    def test_in_except():
        pass

else:

    def test_in_try_else():
        pass


for _name in ("gen_b", "gen_a"):

    def _make(name=_name):
        def _test():
            pass

        _test.__name__ = "test_" + name
        return _test

    globals()["test_" + _name] = _make()


class TestDynamicDunder:
    def test_visible(self):
        pass


TestDynamicDunder.__test__ = False


class NotNamedLikeATest:
    def test_enabled_later(self):
        pass


NotNamedLikeATest.__test__ = True


def test_decorated_later(z):
    pass


test_decorated_later = pytest.mark.parametrize("z", [1, 2])(test_decorated_later)


def pytest_generate_tests(metafunc):
    if "gen" in metafunc.fixturenames:
        metafunc.parametrize("gen", ["g1", "g2"], ids=["first", "second"])


def test_generated(gen):
    pass


class TestGenerated:
    def pytest_generate_tests(self, metafunc):
        metafunc.parametrize("k", [1, 2])

    def test_k(self, k):
        pass


setattr(sys.modules[__name__], "test_setattr", lambda: None)
