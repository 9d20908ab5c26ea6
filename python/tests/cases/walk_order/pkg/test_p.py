def test_p():
    pass
