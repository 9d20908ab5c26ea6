import nonexistent_module_for_fastest


def test_x():
    pass
