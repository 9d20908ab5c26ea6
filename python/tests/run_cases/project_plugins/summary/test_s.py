def test_s(extra):
    assert extra == 43
