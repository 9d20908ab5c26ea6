import pytest

# How often each test ran so far in this process: a flaky test passes on a later
# attempt. (pytest-rerunfailures reruns in the same process.)
ATTEMPTS = {}


@pytest.fixture
def attempt(request):
    n = ATTEMPTS.get(request.node.nodeid, 0) + 1
    ATTEMPTS[request.node.nodeid] = n
    return n


@pytest.fixture
def setup_fails_once(request):
    key = request.node.nodeid + "/setup"
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    if ATTEMPTS[key] < 2:
        raise RuntimeError("setup fails the first time")
    yield
