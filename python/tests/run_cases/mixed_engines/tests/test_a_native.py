import os

import pytest


def test_plain(base, tmp_path, hooked_env):
    assert hooked_env is None
    (tmp_path / "f").write_text("x")
    assert base + 2 == 42


def test_fails(base):
    print("native output")
    assert base == 41


@pytest.mark.skip(reason="skipped natively")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known")
def test_xfailed():
    assert False


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert "HOOKED" not in os.environ
