# -*- coding: utf-8 -*-
import pytest


@pytest.mark.parametrize(
    "i",
    [0, 1, -1, 1_000, 0x10, 0o17, 0b101, 10**3, -0, 12345678901234567890],
)
def test_ints(i):
    pass


@pytest.mark.parametrize(
    "f",
    [0.0, -0.0, 1.5, 1e100, 1e-7, 1.0e16, 2.5e-300, 1_000.5, .5, 5., 3.14159265358979323846, 1e308 * 10, -1e400],
)
def test_floats(f):
    pass


@pytest.mark.parametrize("c", [1j, 2 + 3j, -1.5j, 0j])
def test_complex(c):
    pass


@pytest.mark.parametrize(
    "s",
    [
        "plain",
        "",
        " ",
        "with space",
        "tab\there",
        "new\nline",
        "nul\x00byte",
        "bell\x07",
        "\x0e",
        "\x7f",
        "caf\u00e9",
        "caf\xe9",
        "naïve",
        "日本語",
        "emoji 🎉",
        "\U0001f600",
        "back\\slash",
        'quote"double',
        "quote'single",
        "a/b::c[d]e",
        "[brackets]",
        "dash-dash",
        "semi;colon",
        "\r",
        "\u200b",
        r"raw\n",
        "é" * 3,
    ],
)
def test_strings(s):
    pass


@pytest.mark.parametrize(
    "b",
    [b"", b"abc", b"\x00\xff", b"caf\xc3\xa9", b"tab\t", b"\\", rb"\n", bytes(2)],
)
def test_bytes(b):
    pass


@pytest.mark.parametrize("v", [None, True, False, ..., NotImplemented])
def test_singletons(v):
    pass


@pytest.mark.parametrize(
    "v",
    [[1, 2], (1, 2), {"a": 1}, [], (), {}, {1, 2}, frozenset(), [[1]], (1,), range(3), slice(1, 2)],
)
def test_containers(v):
    pass


@pytest.mark.parametrize("a,b", [(1, 2), ("x", "y"), (None, 1.5), ([1], {"k": "v"})])
def test_pairs(a, b):
    pass


@pytest.mark.parametrize(("a", "b"), [(1, "one"), (2, "two")])
def test_tuple_argnames(a, b):
    pass


@pytest.mark.parametrize(["a", "b"], [[3, "three"], [4, "four"]])
def test_list_argnames(a, b):
    pass


@pytest.mark.parametrize(" a , b ", [(5, 6)])
def test_spaced_argnames(a, b):
    pass


@pytest.mark.parametrize("a,", [(7,), (8,)])
def test_trailing_comma_argnames(a):
    pass


@pytest.mark.parametrize("x", [(1, 2), (3, 4)])
def test_tuple_as_single_value(x):
    pass


@pytest.mark.parametrize("n", [-5, +5, -1.5, -(3), ~0])
def test_unary(n):
    pass


@pytest.mark.parametrize("s", ["implicit" " concatenation", f"f{'string'}", "%d" % 3, "x" * 3])
def test_string_expressions(s):
    pass
