import sibling_helper


def test_uses_sibling():
    assert sibling_helper.VALUE == 1
