"""Members of the module's own enum classes: pytest's IDs are their str() or value."""
import enum
from enum import Enum, IntEnum, auto, unique

import pytest


class Color(Enum):
    RED = 1
    GREEN = 2.0
    CRIMSON = 1  # an alias: Color.CRIMSON is Color.RED

    def describe(self):
        return self.name


class Mode(str, Enum):
    READ = "r"
    WRITE = "w"


class Code(IntEnum):
    NORMAL = 1000
    AWAY = 1001


@unique
class Step(enum.Enum):
    FIRST = auto()
    SECOND = auto()


class Small(int, Enum):
    ONE = 1


@pytest.mark.parametrize(
    "member",
    [Color.RED, Color.GREEN, Color.CRIMSON, Mode.WRITE, Code.AWAY, Step.SECOND, Small.ONE],
)
def test_members(member):
    assert member is not None


@pytest.mark.parametrize("code, reason", [(Code.NORMAL, "bye"), (Code.AWAY, "later")])
def test_pairs(code, reason):
    assert reason
