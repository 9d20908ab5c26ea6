def test_sees_the_version(versioned):
    assert versioned in ("3.8", "3.12")
