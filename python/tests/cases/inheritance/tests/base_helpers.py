"""Not a test module: base classes only."""


class BaseChecks:
    def test_from_helper_base(self):
        pass

    def test_overridden(self):
        pass


class Mixin:
    def test_mixin(self):
        pass
