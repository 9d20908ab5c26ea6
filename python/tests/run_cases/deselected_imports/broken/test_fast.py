def test_fast():
    pass
