import pytest


@pytest.fixture(scope="module")
def shared():
    return []


def test_appends(shared):
    shared.append(1)
    assert shared == [1]


def test_sees_it(shared):
    assert shared == [1]
