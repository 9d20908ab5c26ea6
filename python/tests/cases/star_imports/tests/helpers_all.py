"""`__all__` says what `import *` takes: not the test-like function below."""

__all__ = ["make", "Base", "LIMIT"]

LIMIT = 3


def make():
    return [1, 2, 3]


class Base:
    def helper(self):
        return 1


def test_not_exported():
    raise AssertionError("pytest never sees this through `import *`")
