"""A module-level importorskip of a module that imports: the tests are collected, and
the source says so."""
import pytest

json = pytest.importorskip("json", reason="needs json")
xml_dom = pytest.importorskip("xml.dom")


def test_dumps():
    assert json.dumps(1) == "1"


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert xml_dom is not None
