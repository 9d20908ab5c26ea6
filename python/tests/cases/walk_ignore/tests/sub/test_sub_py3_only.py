def test_py3_only():
    pass
