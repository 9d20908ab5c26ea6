print("importing test_b_ok")


def test_fine():
    pass


class TestFine:
    def test_method(self):
        assert 1 + 1 == 2
