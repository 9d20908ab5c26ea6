def test_conda():
    pass
