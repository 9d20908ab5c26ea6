import random
import unittest


def test_a():
    print("a", random.randint(0, 10**6))


def test_b():
    pass


def test_c():
    assert random.random() < 0.9


class TestCaseStyle(unittest.TestCase):
    def test_two(self):
        pass

    def test_one(self):
        print("one", random.random())


class TestClass:
    def test_1(self):
        pass

    def test_2(self):
        pass

    def test_3(self):
        pass
