def test_one():
    pass


class TestGroup:
    def test_two(self):
        pass
