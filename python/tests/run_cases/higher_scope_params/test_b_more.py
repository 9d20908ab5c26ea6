import pytest

from conftest import LOG


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_other_module(backend, connection):
    assert backend == "redis"


def test_zz_log():
    print("\n".join(LOG))
    assert False, "show the log"
