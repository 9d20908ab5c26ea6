def test_c(impl):
    assert impl == "pure"
