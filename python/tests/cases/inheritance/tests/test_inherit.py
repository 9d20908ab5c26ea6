from base_helpers import BaseChecks, Mixin
from test_base import TestBase


class TestLocalBase:
    def test_local_b(self):
        pass

    def test_local_a(self):
        pass

    def test_override_me(self):
        pass


class TestChild(TestLocalBase):
    def test_child(self):
        pass

    def test_override_me(self):
        pass


class TestGrandChild(TestChild):
    def test_grand(self):
        pass


class TestFromHelper(BaseChecks):
    def test_own(self):
        pass

    def test_overridden(self):
        pass


class TestMulti(Mixin, TestLocalBase):
    def test_multi(self):
        pass


class TestFromOtherTestModule(TestBase):
    def test_extra(self):
        pass


class _PrivateBase:
    def test_private_base(self):
        pass


class TestFromPrivate(_PrivateBase):
    pass


class TestAbstractish:
    __test__ = False

    def test_in_disabled_base(self):
        pass


class TestReenabled(TestAbstractish):
    __test__ = True
