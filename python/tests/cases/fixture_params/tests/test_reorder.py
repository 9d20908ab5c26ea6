"""Module-scoped parametrized fixtures make pytest reorder items (reorder_items)."""


def test_first(module_resource):
    pass


def test_plain():
    pass


def test_second(module_resource):
    pass


def test_both(module_resource, number):
    pass
