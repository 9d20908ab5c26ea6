import pytest


@pytest.mark.parametrize("ch", ["\N{BULLET}", "\N{GREEK SMALL LETTER ALPHA}x", "a\N{EM DASH}b"])
def test_named(ch):
    assert ch


def test_plain():
    assert "\N{LATIN SMALL LETTER A}" == "a"
