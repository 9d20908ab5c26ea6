import threading
import unittest


class SubTestsInThreads(unittest.TestCase):
    def test_threads(self):
        def runner(k):
            with self.subTest(k):
                self.assertLess(k, 10)

        threads = [threading.Thread(target=runner, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def test_thread_failing(self):
        def runner():
            with self.subTest("bad"):
                self.assertEqual(1, 2)

        t = threading.Thread(target=runner)
        t.start()
        t.join()

    def test_plain(self):
        with self.subTest(x=1):
            pass
