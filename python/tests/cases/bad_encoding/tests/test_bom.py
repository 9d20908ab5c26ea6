# café
def test_bom():
    pass


def test_bom_2():
    """é"""
