import warnings


class TestClient:
    """A helper named like a test class: pytest warns that it cannot collect it."""

    def __init__(self, base):
        self.base = base

    def test_never(self):
        pass


class TestRecord:
    def __new__(cls):
        return super().__new__(cls)


def test_client():
    assert TestClient("x").base == "x"


def test_warns():
    warnings.warn(UserWarning("from a test"))
