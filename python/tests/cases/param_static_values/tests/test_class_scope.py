"""Names a class body binds, read by the decorators below them (class scope)."""
import pytest

N = 7


class TestHeaders:
    @pytest.mark.parametrize("n", [N])
    def test_module_name_before_the_class_binds_it(self, n):
        assert n == 7

    N = 3
    example_headers = [(":authority", "example.com"), (":path", "/")]
    example_headers_bytes = [(b":authority", b"example.com"), (b":path", b"/")]
    label = "x" * 3

    def helper(self):
        return None

    @pytest.mark.parametrize("headers", [example_headers, example_headers_bytes])
    def test_lists(self, headers):
        assert len(headers) == 2

    @pytest.mark.parametrize("value", [N, label, N + 1, helper])
    def test_values(self, value):
        assert value is not None

    @pytest.mark.parametrize("header", example_headers)
    def test_list_as_argvalues(self, header):
        assert header[0].startswith(":")


class TestNested:
    N = 1

    class TestInner:
        @pytest.mark.parametrize("n", [N])
        def test_inner(self, n):
            assert n == 7


class TestSameName:
    example_headers = [(":path", "/")]

    @pytest.mark.parametrize("example_headers", [example_headers])
    def test_same_name(self, example_headers):
        print(example_headers)
