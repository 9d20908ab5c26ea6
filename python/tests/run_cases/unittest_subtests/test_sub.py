import unittest


class TestSub(unittest.TestCase):
    def test_subtests(self):
        for n in range(4):
            with self.subTest(n=n):
                self.assertNotEqual(n, 2)

    def test_plain(self):
        self.assertTrue(True)
