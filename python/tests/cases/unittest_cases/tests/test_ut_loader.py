import unittest


class WithSkip(unittest.TestCase):
    @unittest.skip("skipped at run time, still collected")
    def test_skipped(self):
        pass

    def test_kept(self):
        pass


@unittest.skip("whole class")
class SkippedClass(unittest.TestCase):
    def test_in_skipped_class(self):
        pass


class Custom(unittest.TestCase):
    # the loader's prefix is not configurable through pytest
    testMethodPrefix = "check"

    def check_custom(self):
        pass

    def test_custom(self):
        pass
