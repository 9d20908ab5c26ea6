import pytest
from pytest_lazy_fixtures import lf

@pytest.fixture(params=[lf("one"), 7])
def either(request):
    return request.param
