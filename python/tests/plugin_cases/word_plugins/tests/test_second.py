import pytest


@pytest.fixture(scope="module")
def shared():
    return {"key": 1}


def test_reads(shared):
    assert shared["key"] == 1


def test_reads_again(shared):
    assert "key" in shared
