def test_never_collected():
    raise AssertionError("a module the hook skips")
