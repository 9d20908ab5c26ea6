import pytest


class TestA:
    @pytest.fixture(scope="class", autouse=True)
    def setup_cls(self, request):
        request.cls.value = 1

    def test_one(self):
        assert self.value == 1


class TestB:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def setup_b(cls):
        cls.value = 2

    def test_two(self):
        assert self.value == 2
        assert isinstance(type(self).__dict__.get("value"), int)


class TestC:
    @pytest.fixture(scope="module")
    def modfix(self):
        return 3

    @pytest.fixture
    def funcfix(self):
        return 4

    @pytest.fixture(scope="class")
    @staticmethod
    def statfix():
        return 5

    def test_three(self, modfix, funcfix, statfix):
        assert modfix + funcfix + statfix == 12
