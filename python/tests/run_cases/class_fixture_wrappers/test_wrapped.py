import pytest


class TestStatic:
    @pytest.fixture(name="value", params=(1, 2))
    @staticmethod
    def _value(request):
        return request.param

    @pytest.fixture
    @classmethod
    def klass(cls):
        return cls.__name__

    def test_value(self, value, klass):
        assert value in (1, 2)
        assert klass == "TestStatic"


class TestFailing:
    @pytest.fixture
    @staticmethod
    def numbers():
        return [1, 2, 3]

    def test_sum(self, numbers, value):
        assert sum(numbers) == 7
