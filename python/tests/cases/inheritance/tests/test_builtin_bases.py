"""Test classes on builtins: pytest will not collect them (the builtin's
constructor) and warns."""


class TestOnDict(dict):
    def test_never(self):
        pass


class TestOnException(Exception):
    def test_never(self):
        pass


def test_here():
    pass
