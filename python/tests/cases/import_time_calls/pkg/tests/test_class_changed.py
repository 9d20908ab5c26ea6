import unittest


class TestCase(unittest.TestCase):
    def test_static(self):
        pass


def helper(self):
    pass


# Tests added and removed after the class statements: only the import knows them.
TestCase.test_assigned = helper


class Base:
    def test_one(self):
        pass

    def test_two(self):
        pass


class TestChild(Base):
    test_two = None


del Base.test_one


class TestGenerated:
    def test_static(self):
        pass


for i in range(2):
    setattr(TestGenerated, "test_dyn_%d" % i, lambda self: None)
