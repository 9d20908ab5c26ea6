import unittest


class TestWrapped(unittest.TestCase):
    skipped = ["test_b", "test_c"]
    expected_failures = ["test_d"]

    @classmethod
    def setUpClass(cls):
        for name in cls.skipped:
            @unittest.skip("skip")
            def wrapped(self):
                pass
            setattr(cls, name, wrapped)
        for name in cls.expected_failures:
            test = getattr(cls, name)

            @unittest.expectedFailure
            def xf(self, test=test):
                test(self)
            setattr(cls, name, xf)
        super().setUpClass()

    def test_a(self):
        pass

    def test_b(self):
        raise AssertionError("b runs as collected")

    def test_c(self):
        pass

    def test_d(self):
        raise AssertionError("d runs as collected")


class TestPlain:
    @classmethod
    def setup_class(cls):
        cls.test_y = lambda self: None

    def test_x(self):
        pass

    def test_y(self):
        assert False, "y runs as collected"


class TestWrappedAgain(TestWrapped):
    """Bound after its base's `setUpClass` replaced the base's tests: pytest's
    collection bound them before."""
