def test_grammar(grammar):
    assert grammar.endswith("3.8")
