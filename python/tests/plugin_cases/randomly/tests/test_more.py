import random

import pytest

VALUES = [random.random() for _ in range(3)]  # at import: the session seed's state


@pytest.mark.parametrize("x", ["a", "b", "c", "d"])
def test_letters(x):
    print(x, random.random())


def test_shuffle():
    items = list(range(10))
    random.shuffle(items)
    print(items)


@pytest.fixture
def drawn():
    # Drawn after the setup reseed; the teardown draws after its own.
    value = random.random()
    yield value
    print("teardown", random.random())


def test_fixture_draws(drawn):
    print("fixture", drawn, random.random())
