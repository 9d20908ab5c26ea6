"""Classes and functions another module defines, as parameters: named by `__name__`."""
import pytest

from pkg import factories
from pkg.factories import Schema, version_added


@pytest.mark.parametrize(
    "factory, label", [(version_added, "added"), (Schema, "schema"), (factories.Schema, "again")]
)
def test_factories(factory, label):
    assert callable(factory) and label
