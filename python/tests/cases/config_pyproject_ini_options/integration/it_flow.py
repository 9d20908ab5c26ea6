def test_flow():
    pass
