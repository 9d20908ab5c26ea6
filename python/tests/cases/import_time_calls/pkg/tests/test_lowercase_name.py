import pytest


# CPython takes a name in lower case; fastest leaves such a name to the import.
@pytest.mark.parametrize("ch", ["\N{bullet}"])
def test_lower(ch):
    assert ch == "\u2022"
