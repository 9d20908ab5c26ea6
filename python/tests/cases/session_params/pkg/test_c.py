import pytest


@pytest.mark.parametrize("mode", ["r", "w"], scope="session")
def test_mode(mode):
    pass


def test_backend_c(backend):
    pass
