def test_other_module():
    assert "fast" in "fastest"
