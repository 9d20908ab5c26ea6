def test_b():
    assert 0
