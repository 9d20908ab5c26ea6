"""pytest-snapshot's `snapshot` fixture: a matching file, a different one, a missing one."""


def test_matches(snapshot):
    snapshot.snapshot_dir = "snapshots"
    snapshot.assert_match("hello\n", "greeting.txt")


def test_differs(snapshot):
    snapshot.snapshot_dir = "snapshots"
    snapshot.assert_match("other\n", "greeting.txt")


def test_missing(snapshot):
    snapshot.snapshot_dir = "snapshots"
    snapshot.assert_match("new\n", "missing.txt")
