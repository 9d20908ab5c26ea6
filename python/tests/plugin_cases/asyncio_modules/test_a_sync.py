import pytest


def test_plain(greeting, mocker):
    fake = mocker.Mock(return_value=greeting)
    assert fake() == "hello"


def test_fails(greeting):
    print("sync output")
    assert greeting == "bye"


@pytest.mark.parametrize("n", [1, 2])
def test_param(n, tmp_path):
    assert n < 2


async def test_unmarked_coroutine():
    # Strict mode leaves an unmarked coroutine to pytest, which skips it with a warning.
    pass
