"""A `pytest_generate_tests` that acts only on tests using `each_version` or `case`
(parso's shape): every other module is the source's, and runs natively."""
import pytest

VERSIONS = ["3.8", "3.12"]


def pytest_generate_tests(metafunc):
    """Parametrize the tests that ask for it."""
    if "each_version" in metafunc.fixturenames:
        metafunc.parametrize("each_version", VERSIONS)
    elif "case" in metafunc.fixturenames and VERSIONS:
        metafunc.parametrize("case", [c * 2 for c in range(3)], ids=lambda c: f"case{c}")


@pytest.fixture
def grammar(each_version):
    return f"grammar-{each_version}"
