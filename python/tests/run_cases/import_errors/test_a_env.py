"""Fails at import on a condition only running it shows (discovery proves its tests)."""
import os

print("importing test_a_env")
SERVER = os.environ["IMPORT_ERRORS_CASE_SERVER_UNSET"]


class TestServer:
    def test_ping(self):
        assert SERVER

    def test_pong(self):
        assert SERVER
