def test_from_pyproject():
    pass
