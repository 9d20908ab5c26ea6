def test_café():
    pass


class TestÜber:
    def test_größe(self):
        pass


def test_日本():
    pass
