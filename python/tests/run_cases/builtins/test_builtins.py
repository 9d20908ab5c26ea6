import logging
import os
import sys
import warnings

import pytest


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("shared")
    (d / "seed.txt").write_text("seed")
    return d


def test_tmp_path(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("hello")
    assert target.read_text() == "hello"
    assert tmp_path.name.startswith("test_tmp_path")


def test_tmp_path_in_failure(tmp_path):
    target = tmp_path / "missing.txt"
    print(f"looking for {target}")
    assert target.exists()


def test_tmp_path_factory(shared_dir):
    assert (shared_dir / "seed.txt").read_text() == "seed"
    assert shared_dir.name.startswith("shared")


def test_monkeypatch_setattr(monkeypatch):
    monkeypatch.setattr(os, "getcwd", lambda: "/nowhere")
    assert os.getcwd() == "/nowhere"


def test_monkeypatch_setenv(monkeypatch):
    monkeypatch.setenv("FASTEST_ORACLE_VAR", "on")
    monkeypatch.delenv("FASTEST_ORACLE_MISSING", raising=False)
    assert os.environ["FASTEST_ORACLE_VAR"] == "on"


def test_monkeypatch_chdir(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert os.path.samefile(os.getcwd(), tmp_path)


def test_recwarn(recwarn):
    warnings.warn("recorded", UserWarning)
    assert len(recwarn) == 1
    assert str(recwarn.pop(UserWarning).message) == "recorded"


def test_capsys(capsys):
    print("out")
    print("err", file=sys.stderr)
    assert capsys.readouterr() == ("out\n", "err\n")


def test_capfd(capfd):
    os.write(1, b"fd out\n")
    os.write(2, b"fd err\n")
    out, err = capfd.readouterr()
    assert (out, err) == ("fd out\n", "fd err\n")


def test_caplog(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("inventory").info("restocked %d items", 5)
    assert caplog.messages == ["restocked 5 items"]
    assert caplog.records[0].levelname == "INFO"


def test_caplog_failure(caplog):
    caplog.set_level(logging.INFO, logger="inventory")
    logging.getLogger("inventory").info("counting")
    assert caplog.messages == []


def test_request(request):
    assert request.node.name == "test_request"
    assert request.config.getini("python_files") == ["test_*.py", "check_*.py"]


def test_pytestconfig(pytestconfig):
    assert pytestconfig.getini("python_files") == ["test_*.py", "check_*.py"]
    assert pytestconfig.rootpath.name == "builtins"
