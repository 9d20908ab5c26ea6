def test_helper_function():
    """Defined in a non-test module; collected where it is imported."""


def check_something():
    pass


class TestHelperClass:
    def test_in_helper_class(self):
        pass


def make_cases():
    return [3, 1, 2]
