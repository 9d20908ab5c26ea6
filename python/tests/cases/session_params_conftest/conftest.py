"""The parser cannot read this conftest (definitions in a `try` block), so every module
under it is collected by pytest; its session-scoped autouse parametrization interleaves
their items (markupsafe's suite has this shape)."""

import pytest

try:
    import json as fast_impl
except ImportError:  # pragma: no cover
    fast_impl = None


@pytest.fixture(scope="session", autouse=True, params=["pure", "fast"])
def impl(request):
    return request.param
