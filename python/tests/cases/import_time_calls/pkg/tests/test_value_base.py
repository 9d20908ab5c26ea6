from pkg.compat import text_type


# pytest warns that it has a `__new__` constructor: the import fallback reports that.
class TestText(text_type):
    def test_never_collected(self):
        pass
