import os


def test_after(hooked_env):
    assert hooked_env is None
    assert "HOOKED" not in os.environ


def test_modules_in_order(events):
    # Each module's fixtures were torn down before the next module's were set up,
    # whichever engine ran it.
    assert events == [
        ("setup", "test_h1"),
        ("teardown", "test_h1"),
        ("setup", "test_h2"),
        ("teardown", "test_h2"),
        ("setup", "test_a_native"),
        ("teardown", "test_a_native"),
        ("setup", "test_z_native"),
    ]


def test_error(missing):
    pass
