import unittest
import unittest as ut
from unittest import TestCase
from unittest import TestCase as TC


class MyTC(unittest.TestCase):
    def test_zeta(self):
        pass

    def test_alpha(self):
        pass

    def test_Mid(self):
        pass

    def check_not_a_unittest_method(self):
        pass

    def helper(self):
        pass


class Aliased(TC):
    def test_b(self):
        pass

    def test_a(self):
        pass


class ViaModuleAlias(ut.TestCase):
    def test_one(self):
        pass


class PlainImport(TestCase):
    def runTest(self):
        pass


class OnlyRunTest(unittest.TestCase):
    def runTest(self):
        pass

    def test_wins_over_runtest(self):
        pass


class Empty(unittest.TestCase):
    pass


class Disabled(unittest.TestCase):
    __test__ = False

    def test_hidden(self):
        pass


class Base(unittest.TestCase):
    def test_base_z(self):
        pass

    def test_base_a(self):
        pass


class Derived(Base):
    def test_derived(self):
        pass

    def test_base_z(self):
        pass


class AsyncCase(unittest.IsolatedAsyncioTestCase):
    async def test_async_b(self):
        pass

    async def test_async_a(self):
        pass


class SuiteOfChecks:
    def check_pytest_style(self):
        pass

    def test_not_matching_python_functions(self):
        pass


def check_function():
    pass


def test_function_not_matching():
    pass
