"""pyfakefs's fake file systems: its fixtures, and its `pytest_runtest_logreport`
wrapper that pauses the patching while pytest reports (a worker plugin's)."""
import os
import pathlib


def test_fake_file(fs):
    fs.create_file("/data/notes.txt", contents="fake")
    with open("/data/notes.txt") as f:
        assert f.read() == "fake"


def test_fake_file_differs(fs):
    fs.create_file("/data/other.txt", contents="fake")
    print("written inside the fake file system")
    assert pathlib.Path("/data/other.txt").read_text() == "real"


class TestShared:
    def test_create(self, fs_module):
        fs_module.create_dir("/shared")
        assert os.path.isdir("/shared")

    def test_no_real_files(self, fs_module):
        # (Independent of the other test: pytest-xdist may run it on another worker.)
        assert not os.path.exists(__file__)
