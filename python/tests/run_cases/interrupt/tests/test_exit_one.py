import pytest


def test_exits_1():
    pytest.exit("failing exit", returncode=1)
