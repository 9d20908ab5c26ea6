"""Fails at import on a condition only running it shows."""
import os

SERVER = os.environ["IMPORT_ERRORS_HOOKS_CASE_UNSET"]


def test_server():
    assert SERVER
