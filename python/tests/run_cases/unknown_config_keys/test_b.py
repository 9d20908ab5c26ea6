import warnings

import pytest

# Computed values: the import fallback collects this module (its pytest warns about
# the keys too, which the native run does not repeat).
VALUES = [x * 2 for x in range(2)]


@pytest.mark.parametrize("v", VALUES)
def test_computed(v):
    warnings.warn(UserWarning("from a test"))
