# The attempt imports: the handler's missing module never matters.
try:
    from unittest import mock
    HAS_MOCK = True
except ImportError:
    import mock_backport_that_is_not_installed as mock  # noqa: F401
    HAS_MOCK = False


def test_attempt_wins():
    assert HAS_MOCK
