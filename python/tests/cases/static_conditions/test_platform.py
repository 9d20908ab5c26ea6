"""Top-level `if`s on the platform (`sys.platform`, `os.name`, `platform.system()`):
import runs one branch, which the source decides on a known platform."""
import os
import platform
import sys

IS_WINDOWS = sys.platform.startswith(("win", "cygwin"))

if IS_WINDOWS:

    def test_windows_only():
        assert os.name == "nt"

else:

    def test_not_windows():
        assert os.name != "nt"


if sys.platform == "darwin":

    def test_macos():
        assert platform.system() == "Darwin"

elif sys.platform != "win32":

    def test_neither_macos_nor_windows():
        assert sys.platform not in ("darwin", "win32")


if os.name == "nt" and not os.environ.get("USERNAME"):
    os.environ["USERNAME"] = "user"


if platform.system() in ("Linux", "Darwin"):

    class TestPosix:
        def test_posix(self):
            assert os.name == "posix"
