import pytest


@pytest.fixture
def skipping_fixture():
    pytest.skip("skipped in fixture")


@pytest.fixture
def failing_fixture():
    pytest.fail("failed in fixture")


@pytest.fixture
def xfailing_fixture():
    pytest.xfail("xfailed in fixture")


def test_skip_call():
    pytest.skip("skipped inside the test")


def test_fail_call():
    pytest.fail("failed on purpose")


def test_fail_no_trace():
    pytest.fail("no traceback", pytrace=False)


def test_xfail_call():
    pytest.xfail("xfailed inside the test")


def test_uses_skipping_fixture(skipping_fixture):
    pass


def test_uses_failing_fixture(failing_fixture):
    pass


def test_uses_xfailing_fixture(xfailing_fixture):
    pass
