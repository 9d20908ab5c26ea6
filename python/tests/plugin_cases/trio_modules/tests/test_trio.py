"""pytest-trio: tests marked `trio`, async and trio fixtures, its clocks; an
unmarked coroutine test (skipped by pytest with its warning) and sync tests beside them."""
import pytest
import trio
import pytest_trio

@pytest.mark.trio
async def test_sleep():
    await trio.sleep(0)

@pytest.mark.trio
async def test_fixture(server_value):
    assert server_value == 5

@pytest.mark.trio
async def test_fails(autojump_clock):
    await trio.sleep(100)
    assert trio.current_time() == 0

@pytest_trio.trio_fixture
async def nursery_value(nursery):
    return 3

@pytest.mark.trio
async def test_trio_fixture(nursery_value):
    assert nursery_value == 3

async def test_unmarked():
    pass

def test_sync(mock_clock):
    assert mock_clock is not None

@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.trio
async def test_param(n):
    await trio.sleep(0)
    assert n < 2
