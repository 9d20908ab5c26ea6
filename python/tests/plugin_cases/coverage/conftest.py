import pytest

import pkg


@pytest.fixture
def base():
    return pkg.add(1, 1)
