import unittest

import pytest


def setup_module():
    pass


@pytest.fixture
def needs_missing(shared, not_defined_anywhere):
    return shared


@pytest.fixture
def raises_lookup(request):
    request.raiseerror("custom lookup message")


def test_missing_argument(shared, nothere):
    pass


def test_missing_in_fixture(needs_missing):
    pass


@pytest.mark.usefixtures("missing_by_usefixtures")
def test_missing_usefixtures():
    pass


def test_cache_without_cacheprovider(cache):
    pass


def test_raiseerror(raises_lookup):
    pass


def test_getfixturevalue_missing(request):
    request.getfixturevalue("dynamic_missing")


class TestInClass:
    @pytest.fixture
    def class_fixture(self):
        return 1

    def test_missing_in_class(self, class_fixture, also_missing):
        pass


@pytest.mark.usefixtures("missing_for_testcase")
class TestCaseMissing(unittest.TestCase):
    def test_case(self):
        pass


def test_fine(shared):
    assert shared == "shared"
