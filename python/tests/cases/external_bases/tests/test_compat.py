from compat import unittest


class CompatCase(unittest.TestCase):
    def test_compat(self):
        self.assertEqual(1, 1)
