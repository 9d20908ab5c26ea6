import unittest


class TestSub(unittest.TestCase):
    def test_subtests(self):
        for n in range(4):
            with self.subTest(n=n):
                self.assertNotEqual(n, 2)

    def test_plain(self):
        self.assertTrue(True)

    def test_message(self):
        with self.subTest("custom", a=1):
            self.assertTrue(False)
        with self.subTest():
            pass

    def test_skip_in_subtest(self):
        with self.subTest(i=1):
            self.skipTest("nope")
        with self.subTest(i=2):
            raise ValueError("boom")

    def test_prints(self):
        print("before")
        with self.subTest(i=1):
            self.fail("inside")
        print("after")
        self.fail("outside")
