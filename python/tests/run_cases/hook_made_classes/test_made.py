class SliceTest:
    __per_backend__ = True

    def test_first(self):
        assert type(self).__name__.startswith("SliceTest_sqlite")


def test_plain():
    pass
