import pytest

from conftest import LOG


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_backend(backend, connection):
    assert connection == f"conn-{backend}"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("n", [1, 2])
def test_backend_and_n(backend, n):
    assert n in (1, 2)


def test_size(size):
    assert size in ("small", "large")


def test_size_fails(size):
    assert size == "small"


class TestPerClass:
    def test_one(self, per_class):
        LOG.append(f"one {per_class}")

    def test_two(self, per_class):
        LOG.append(f"two {per_class}")


def test_zz_log_so_far():
    print("\n".join(LOG))
    assert False, "show the log"
