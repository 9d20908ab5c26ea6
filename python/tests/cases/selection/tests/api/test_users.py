import pytest


class TestUsers:
    def test_create(self):
        pass

    @pytest.mark.slow
    def test_bulk_create(self):
        pass

    class TestAdmin:
        def test_promote(self):
            pass

    @pytest.mark.parametrize("role", ["admin", "guest", "a b", "x/y", "p::q", "[br]"])
    def test_roles(self, role):
        pass


@pytest.mark.network
@pytest.mark.parametrize("code", [200, 404])
def test_status(code):
    pass


@pytest.mark.device(serial="123")
def test_on_device():
    pass


@pytest.mark.device(serial="456")
def test_on_other_device():
    pass


@pytest.mark.smoke
def test_smoke():
    pass
