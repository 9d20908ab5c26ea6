import enum
from enum import IntEnum


class CloseReason(IntEnum):
    NORMAL_CLOSURE = 1000
    GOING_AWAY = 1001


class Color(enum.Enum):
    RED = 1
    CRIMSON = 1  # an alias of RED


class Mode(str, enum.Enum):
    READ = "r"
