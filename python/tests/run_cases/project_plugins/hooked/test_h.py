def test_h(thing):
    assert thing == 42
