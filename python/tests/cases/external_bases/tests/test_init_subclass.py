from base import Registering


class TestRegistered(Registering):
    def test_own(self):
        assert True
