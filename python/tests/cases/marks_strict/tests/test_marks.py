import pytest


@pytest.mark.registered
def test_registered():
    pass


@pytest.mark.typo_mark
def test_unregistered():
    pass


@pytest.mark.skip
@pytest.mark.xfail(reason="builtin marks are always known")
def test_builtin_marks():
    pass


class TestClassMark:
    pytestmark = [pytest.mark.another_unknown]

    def test_in_class(self):
        pass
