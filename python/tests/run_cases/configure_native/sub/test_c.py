import os

import pytest

from order import ORDER

from conftest import KEY


@pytest.mark.custom
def test_configured(answer, pytestconfig):
    assert answer == 42
    assert os.environ["CONFIGURED_BY_CONFTEST"] == "yes"
    assert pytestconfig.stash[KEY] == "stashed"
    assert ORDER == ["root", "sub"]


def test_fails(answer):
    assert answer == 41
