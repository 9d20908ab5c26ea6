import pytest


@pytest.fixture
def session_marker(request):
    request.node.marked = True
