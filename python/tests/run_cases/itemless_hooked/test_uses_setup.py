import os


def test_the_itemless_module_was_imported():
    assert os.environ.get("FASTEST_ITEMLESS_SETUP") == "imported"
