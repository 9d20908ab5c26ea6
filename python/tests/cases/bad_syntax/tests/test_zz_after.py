def test_after_errors():
    pass
