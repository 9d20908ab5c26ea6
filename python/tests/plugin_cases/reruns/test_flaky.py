import pytest


def test_steady():
    pass


@pytest.mark.flaky(reruns=2)
def test_passes_on_second_attempt(attempt):
    print("attempt", attempt)
    assert attempt >= 2


@pytest.mark.flaky(reruns=2)
def test_always_fails(attempt):
    assert attempt < 0


@pytest.mark.flaky(reruns=1)
def test_setup_recovers(setup_fails_once):
    pass


@pytest.mark.flaky(reruns=3, only_rerun=["ValueError"])
def test_only_some_errors_rerun(attempt):
    raise TypeError(f"not rerun {attempt}")


@pytest.mark.flaky(reruns=1)
@pytest.mark.parametrize("n", [1, 2])
def test_parametrized(attempt, n):
    assert attempt == 2
