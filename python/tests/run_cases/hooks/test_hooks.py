import pytest


def test_uses_resource(resource):
    resource["uses"] += 1
    assert resource["uses"] >= 1


@pytest.mark.slow
def test_slow_one():
    assert 2 + 2 == 4


def test_gone_by_hook():
    assert False, "deselected by the conftest hook"


@pytest.mark.needs_env
def test_skipped_by_setup_hook():
    pass


def test_fails(resource):
    print("about to fail")
    assert resource == {"uses": 99}
