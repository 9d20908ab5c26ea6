"""pytest-dotenv (its `pytest_load_initial_conftests` loads `.env` into the
environment before any conftest is imported) and pytest-vcr (its mark, registered in
that hook, and its autouse fixture giving a marked test a cassette)."""
import os

import pytest


def test_dotenv_loaded():
    assert os.environ.get("FASTEST_DOTENV_CHECK") == "from-dotenv"


@pytest.mark.vcr
def test_marked_cassette(vcr_cassette):
    assert vcr_cassette.play_count == 0
