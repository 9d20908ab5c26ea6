__test__ = False


def test_not_collected():
    pass


class TestNotCollected:
    def test_x(self):
        pass
