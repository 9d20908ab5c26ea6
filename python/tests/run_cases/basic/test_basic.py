import pytest


def parse_port(text):
    return _to_int(text.strip())


def _to_int(text):
    if not text.isdigit():
        raise ValueError(f"not a port number: {text!r}")
    return int(text)


def load_config(lines):
    return {key: parse_port(value) for key, value in (line.split("=") for line in lines)}


def test_passes():
    assert 1 + 1 == 2


def test_ints():
    assert 6 * 7 == 43


def test_strings():
    greeting = "hello world, this is fastest"
    assert greeting == "hello world, this is pytest"


def test_multiline_strings():
    expected = "alpha\nbeta\ngamma\ndelta\n"
    assert "alpha\nbeta\nGAMMA\ndelta\n" == expected


def test_lists():
    assert [1, 2, 3, 4] == [1, 2, 5, 4]


def test_dicts():
    left = {"name": "cart", "items": 3, "total": 9.5}
    assert left == {"name": "cart", "items": 4, "total": 9.5, "owner": "ann"}


def test_helper_raises():
    config = load_config(["http=80", "https=443", "admin=eighty"])
    assert config["http"] == 80


def test_assert_message():
    items = []
    assert items, "the cart should not be empty"


class TestMath:
    def test_add(self):
        assert 2 + 2 == 4

    def test_sub(self):
        value = 10 - 3
        assert value == 8


@pytest.mark.parametrize("n,expected", [(1, 1), (2, 4), (3, 10)])
def test_square(n, expected):
    assert n * n == expected


@pytest.mark.parametrize("word", ["apple", "kiwi"], ids=["long", "short"])
def test_word_length(word):
    assert len(word) >= 4
