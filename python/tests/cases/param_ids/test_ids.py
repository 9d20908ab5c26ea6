import pytest
import pytest as pt
from pytest import mark
from pytest import mark as m
from pytest import param

parametrize = pytest.mark.parametrize


@pytest.mark.parametrize("x", [1, 2, 3], ids=["one", None, "three"])
def test_ids_with_none(x):
    pass


@pytest.mark.parametrize("x", [1, 2, 3, 4, 5], ids=[10, 2.5, True, None, b"by"])
def test_ids_other_types(x):
    pass


@pytest.mark.parametrize(
    "x",
    [
        pytest.param(1, id="explicit"),
        pytest.param(2, marks=pytest.mark.xfail),
        pytest.param(3, id="with mark", marks=[pytest.mark.slow, pytest.mark.skip]),
        pytest.param(4, id="caf\u00e9"),
        pytest.param(5, id=""),
        pytest.param(6, id="a b/c::d[e]"),
        7,
    ],
)
def test_pytest_param(x):
    pass


@pytest.mark.parametrize("x", [0, 1])
@pytest.mark.parametrize("y", [2, 3])
def test_stacked(x, y):
    pass


@pytest.mark.parametrize("a", ["a1", "a2"])
@pytest.mark.parametrize("b", ["b1"])
@pytest.mark.parametrize("c", ["c1", "c2"])
def test_stacked_three(a, b, c):
    pass


@pytest.mark.parametrize("x", ["a", "a", "a0", 1, 1, "b", "a"])
def test_duplicates(x):
    pass


@pytest.mark.parametrize("x", [1, 2], ids=["same", "same"])
def test_duplicate_explicit_ids(x):
    pass


@pytest.mark.parametrize("x,y", [(1, 1), (1, 1), ("1-1", 0)])
def test_duplicate_joined(x, y):
    pass


@pytest.mark.parametrize("x", ["a/b", "c::d", "e[f]", "g h", "i-j", "k.l", "m(n)"])
def test_special_characters(x):
    pass


@pytest.mark.parametrize("x", [])
def test_empty(x):
    pass


@pytest.mark.parametrize("x,y", [])
def test_empty_two_names(x, y):
    pass


@pytest.mark.parametrize("x", [], ids=[])
def test_empty_with_ids(x):
    pass


@mark.parametrize("x", [1, 2])
def test_from_pytest_import_mark(x):
    pass


@m.parametrize("x", ["m"])
def test_mark_alias(x):
    pass


@pt.mark.parametrize("x", ["pt"])
def test_module_alias(x):
    pass


@parametrize("x", ["assigned"])
def test_assigned_decorator(x):
    pass


@pytest.mark.parametrize("x", [param(1, id="imported-param"), param(2)])
def test_imported_param(x):
    pass


@pytest.fixture
def fx(request):
    return request.param


@pytest.mark.parametrize("fx", [1, 2], indirect=True)
def test_indirect(fx):
    pass


@pytest.mark.parametrize("fx,y", [(1, "a"), (2, "b")], indirect=["fx"])
def test_indirect_list(fx, y):
    pass


@pytest.mark.parametrize("x", [1, 2], ids=["shown", pytest.HIDDEN_PARAM])
def test_hidden_param(x):
    pass


@pytest.mark.parametrize("x", [pytest.param(1, id=pytest.HIDDEN_PARAM)])
def test_hidden_only(x):
    pass


@pytest.mark.parametrize("x", [1, 2])
class TestParametrizedClass:
    def test_a(self, x):
        pass

    @pytest.mark.parametrize("y", ["p", "q"])
    def test_b(self, x, y):
        pass


@pytest.mark.parametrize("x", [1])
@pytest.mark.parametrize("x2", [2], ids=["id2"])
def test_mixed_ids_stacked(x, x2):
    pass


@pytest.mark.parametrize("x", range(3))
def test_range(x):
    pass


@pytest.mark.parametrize("x", "abc")
def test_string_as_values(x):
    pass


@pytest.mark.parametrize(argnames="x", argvalues=[1, 2], ids=["kw1", "kw2"])
def test_keyword_arguments(x):
    pass
