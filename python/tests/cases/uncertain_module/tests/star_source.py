__all__ = ["test_exported", "TestExported"]


def test_exported():
    pass


def test_not_exported():
    pass


class TestExported:
    def test_method(self):
        pass
