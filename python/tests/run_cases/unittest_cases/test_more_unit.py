import unittest

import pytest


def setUpModule():
    print("setUpModule")


def tearDownModule():
    print("tearDownModule")


@pytest.mark.usefixtures("db")
class TestWithFixtures(unittest.TestCase):
    @pytest.fixture(autouse=True)
    def inject(self, tmp_path):
        self.tmp = tmp_path

    def test_db(self):
        self.assertEqual(self.db["rows"], 2)
        self.assertTrue(self.tmp.is_dir())

    def test_db_wrong(self):
        self.assertEqual(self.db["rows"], 3, "row count")

    @pytest.mark.skip(reason="pytest mark on a TestCase method")
    def test_marked_skip(self):
        pass

    @pytest.mark.xfail(reason="pytest xfail on a TestCase method")
    def test_marked_xfail(self):
        self.fail("broken")

    @pytest.mark.xfail(reason="passes anyway")
    def test_marked_xpass(self):
        pass


class TestSkipTestRaised(unittest.TestCase):
    def test_raise_skiptest(self):
        raise unittest.SkipTest("raised SkipTest")

    def test_after(self):
        pass


class TestSetUpClassSkips(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise unittest.SkipTest("no backend")

    def test_one(self):
        pass


class TestSetUpClassFails(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise ValueError("class setup failed")

    def test_one(self):
        pass

    def test_two(self):
        pass


class TestTearDownFails(unittest.TestCase):
    def tearDown(self):
        raise OSError("tearDown failed")

    def test_fails_too(self):
        self.assertIn("a", "bcd")

    def test_passes(self):
        pass


class TestCleanups(unittest.TestCase):
    def setUp(self):
        self.addCleanup(print, "cleanup ran")

    def setup_method(self, method):
        print(f"setup_method {method.__name__}")

    def teardown_method(self, method):
        print(f"teardown_method {method.__name__}")

    def test_cleanup(self):
        pass

    def runTest(self):
        pass


class TestRunTestOnly(unittest.TestCase):
    def runTest(self):
        self.assertEqual("x", "y")


class TestTearDownClassFails(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        raise RuntimeError("tearDownClass failed")

    def test_ok(self):
        pass


class TestAsync(unittest.IsolatedAsyncioTestCase):
    async def test_async_ok(self):
        self.assertEqual(1, 1)

    async def test_async_fails(self):
        self.assertEqual(1, 2)
