def test_deeper():
    pass
