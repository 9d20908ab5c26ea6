"""Parameters that are members of enum classes another module defines."""
import pytest

import pkg.codes
from pkg import codes
from pkg.codes import CloseReason, Color, Mode


@pytest.mark.parametrize(
    "code, reason",
    [(CloseReason.NORMAL_CLOSURE, "bye"), (CloseReason.GOING_AWAY, "later")],
)
def test_close(code, reason):
    assert int(code) >= 1000 and reason


@pytest.mark.parametrize(
    "member", [Color.RED, Color.CRIMSON, codes.Mode.READ, pkg.codes.CloseReason.GOING_AWAY, Mode.READ]
)
def test_members(member):
    assert member is not None
