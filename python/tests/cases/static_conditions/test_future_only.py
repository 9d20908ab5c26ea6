def test_future_only():
    assert False, "the conftest ignores this file before Python 3.99"
