import typing as t
from typing import TypedDict


class Example(t.TypedDict):
    name: str
    values: t.List[int]


class Partial(TypedDict, total=False):
    extra: str


class Both(Example, Partial):
    pass


EXAMPLES: t.List[Example] = [{"name": "a", "values": [1]}]


def test_examples():
    assert Both(name="x", values=[], extra="y")["extra"] == "y"


class SupportsReplace(t.Protocol):
    """A typing protocol (packaging's tests type their helpers with one)."""

    def replace(self, **kwargs: object) -> "SupportsReplace": ...


def test_protocol():
    assert not hasattr(SupportsReplace, "__test__")
