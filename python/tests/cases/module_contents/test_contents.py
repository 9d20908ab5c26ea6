"""Everything pytest looks at in a module's namespace, in definition order."""
import functools

import pytest


def test_first():
    pass


def test_redefined():
    """First binding: this position is kept, the body is replaced below."""


def test_second():
    pass


test_lambda = lambda: None  # noqa: E731


def test_redefined():  # noqa: F811
    pass


@pytest.fixture
def test_fixture_not_a_test():
    return 1


class Callable:
    def __call__(self):
        pass


test_callable_instance = Callable()

test_number = 42
test_string = "not callable"


def _test_private():
    pass


def helper_test():
    pass


def decorator(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@decorator
def test_wrapped():
    pass


class TestMethods:
    def test_plain(self):
        pass

    @staticmethod
    def test_static():
        pass

    @classmethod
    def test_class(cls):
        pass

    @property
    def test_property(self):
        return 1

    test_attr_lambda = lambda self: None  # noqa: E731

    def helper(self):
        pass

    def test_redefined_method(self):
        pass

    def test_last(self):
        pass

    def test_redefined_method(self):  # noqa: F811
        pass

    class TestNested:
        def test_inner(self):
            pass

        class TestDeeper:
            def test_deepest(self):
                pass

    class NotATestClass:
        def test_hidden(self):
            pass


class TestWithInit:
    def __init__(self):
        pass

    def test_never(self):
        pass


class TestWithNew:
    def __new__(cls):
        return object.__new__(cls)

    def test_never_either(self):
        pass


class TestEmpty:
    pass


class TestDisabled:
    __test__ = False

    def test_disabled(self):
        pass


class CollectedByDunder:
    __test__ = True

    def test_dunder(self):
        pass


def test_function_disabled():
    pass


test_function_disabled.__test__ = False


def test_after_class():
    pass


def make_test():
    def test_inner_function():
        pass

    return test_inner_function


test_made = make_test()


def test_last():
    pass
