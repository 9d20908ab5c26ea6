from hypothesis import given, settings, strategies as st


@given(st.integers())
@settings(database=None, derandomize=True)
def test_int_roundtrip(n):
    assert int(str(n)) == n


@given(st.lists(st.integers(min_value=0, max_value=10)))
@settings(database=None, derandomize=True)
def test_sum_small(xs):
    assert sum(xs) < 10
