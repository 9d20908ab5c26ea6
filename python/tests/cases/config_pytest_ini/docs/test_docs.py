def test_docs():
    pass
