class TestBase:
    def test_base_one(self):
        pass

    def test_base_two(self):
        pass
