import pytest


@pytest.fixture(scope="module", params=[1, 2])
def size(request):
    return request.param


def test_sized(backend, size):
    assert size > 0


def test_size_only(size):
    pass
