"""A test that monkeypatches ``sys.stdout`` under ``capsys``: the monkeypatch's undo
puts back the fixture's stream, already closed; pytest's session capture is back in
``sys`` at the next phase, as the module's import saw it."""

import sys
from io import StringIO
from sys import stdout

import pytest

AT_IMPORT = stdout


def test_patches_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", StringIO())
    print("into the patch")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("file", [stdout.buffer], ids=["stdout"])
def test_session_stream_is_back(file):
    assert sys.stdout is AT_IMPORT
    assert file is sys.stdout.buffer


def test_output_captured_again():
    print("captured again")
    assert sys.stdout is AT_IMPORT
    assert False, "show the captured output"
