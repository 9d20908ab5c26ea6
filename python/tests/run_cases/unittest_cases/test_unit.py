import unittest


class TestInventory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print("setUpClass")
        cls.shared = {"apples": 3}

    @classmethod
    def tearDownClass(cls):
        print("tearDownClass")

    def setUp(self):
        print("setUp")
        self.stock = dict(self.shared)

    def tearDown(self):
        print("tearDown")

    def test_count(self):
        self.assertEqual(self.stock["apples"], 3)

    def test_wrong_count(self):
        self.assertEqual(self.stock["apples"], 4)

    def test_wrong_list(self):
        self.assertListEqual([1, 2, 3], [1, 2, 4])

    def test_raises(self):
        with self.assertRaises(KeyError):
            self.stock["pears"]

    @unittest.skip("not ready")
    def test_skipped(self):
        pass

    @unittest.skipIf(True, "condition is true")
    def test_skipped_if(self):
        pass

    def test_skip_test(self):
        self.skipTest("skipped at run time")

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(1, 2)

    @unittest.expectedFailure
    def test_unexpected_success(self):
        pass


@unittest.skip("whole class skipped")
class TestSkippedClass(unittest.TestCase):
    def test_a(self):
        pass


class TestSetupError(unittest.TestCase):
    def setUp(self):
        raise RuntimeError("setUp broke")

    def test_never(self):
        pass
