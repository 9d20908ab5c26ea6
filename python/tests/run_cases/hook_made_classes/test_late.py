class TestSlice:
    __late_backend__ = True

    def test_first(self):
        assert type(self).__name__ == "TestSlice_sqlite"


def test_plain():
    pass
