# café
def test_undeclared():
    pass
