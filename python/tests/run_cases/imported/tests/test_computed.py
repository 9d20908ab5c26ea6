import pytest

VALUES = [x * 2 for x in range(3)]
PAIRS = list(zip("ab", [1, 2]))


def square_id(v):
    return f"sq{v * v}"


@pytest.mark.parametrize("v", VALUES)
def test_values(v):
    assert v != 4


@pytest.mark.parametrize("v", VALUES, ids=square_id)
@pytest.mark.parametrize("name,num", PAIRS)
def test_stacked(name, num, v):
    assert (name, num, v) != ("b", 2, 2)


@pytest.mark.parametrize("dup", [1, 1, 2 - 1])
def test_duplicates(dup):
    assert dup == 1


@pytest.mark.parametrize(
    "case",
    [pytest.param(n, marks=pytest.mark.xfail(reason="odd")) if n % 2 else n for n in range(3)],
)
def test_param_marks(case):
    assert case % 2 == 0


@pytest.mark.parametrize("empty", [x for x in []])
def test_empty(empty):
    pass


@pytest.fixture
def doubled(request):
    return request.param * 2


@pytest.mark.parametrize("doubled", [n + 1 for n in range(2)], indirect=True)
def test_indirect(doubled, computed_fixture):
    assert doubled in (2, 4)
    assert computed_fixture in (0, 10)


class TestComputed:
    @pytest.mark.parametrize("v", [str(n) for n in range(2)])
    def test_in_class(self, v, shared):
        assert int(v) + shared < 4
