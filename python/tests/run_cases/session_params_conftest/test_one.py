def test_a(impl):
    assert impl in ("pure", "fast")


def test_b():
    pass
