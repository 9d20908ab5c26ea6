"""Faker's pytest plugin provides fixtures only (`faker`, and an autouse session one):
the native engine loads its module and stands in for it."""

import pytest


@pytest.fixture
def faker_seed():
    return 1234


def test_seeded_name(faker):
    assert isinstance(faker.name(), str)


def test_seeded_value_shows(faker):
    assert faker.random_int(0, 1000) == -1


def test_session_instance(request):
    assert "_session_faker" in request.fixturenames
