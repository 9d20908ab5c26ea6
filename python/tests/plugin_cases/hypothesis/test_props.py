import pytest
from hypothesis import HealthCheck, Verbosity, example, given, note, settings
from hypothesis import strategies as st


@given(st.integers())
def test_passes(x):
    assert x + 0 == x


@given(st.integers(min_value=0))
def test_fails(x):
    note(f"x squared is {x * x}")
    assert x < 10


@given(st.integers())
def test_function_scoped_fixture(counter, x):
    counter.append(x)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers())
def test_function_scoped_fixture_allowed(counter, x):
    counter.append(x)


@given(st.integers())
def test_module_scoped_fixture(shared, x):
    shared["calls"] += 1


@pytest.mark.parametrize("base", [1, 2])
@given(st.integers(min_value=0, max_value=5))
def test_parametrized(base, x):
    assert base + x >= base


@given(st.booleans())
def test_parametrized_fixture(level, b):
    assert level in (1, 2)


@settings(max_examples=5)
def test_settings_without_given():
    pass


@given(st.text())
@example("fixed")
def test_with_example(s):
    assert isinstance(s, str)


@given(st.none())
def test_marked(request, x):
    assert request.node.get_closest_marker("hypothesis") is not None
    assert "hypothesis" in request.node.keywords


def test_not_marked(request):
    assert request.node.get_closest_marker("hypothesis") is None


@settings(verbosity=Verbosity.verbose, max_examples=3)
@given(st.just(7))
def test_verbose(x):
    assert x == 7


@settings(verbosity=Verbosity.verbose, max_examples=3)
@given(st.just(3))
def test_verbose_fails(x):
    assert x == 4
