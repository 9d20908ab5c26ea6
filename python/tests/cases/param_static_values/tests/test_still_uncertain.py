"""Values whose IDs only an import settles: the import fallback collects this file."""
import pytest


class Text(str):
    pass


class Cases:
    values = [1, 2]
    values.append(3)


@pytest.mark.parametrize("value", [Text("spelled"), 2**200])
def test_computed(value):
    assert value
