"""`if TYPE_CHECKING:` blocks never run."""
from typing import TYPE_CHECKING, Optional

import pytest

if TYPE_CHECKING:
    from typing import TypedDict

    class Params(TypedDict, total=False):
        window_bits: Optional[int]

    def test_only_for_type_checkers():
        assert False

else:
    Params = dict


@pytest.mark.parametrize("bits", [8, 15])
def test_params(bits):
    assert Params(window_bits=bits)["window_bits"] == bits
