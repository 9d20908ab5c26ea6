import logging
import sys
import warnings

import pytest

log = logging.getLogger("shop.orders")


@pytest.fixture
def noisy():
    print("fixture setup says hi")
    yield
    print("fixture teardown says bye")


def test_prints_and_passes():
    print("stdout from a passing test")
    print("stderr from a passing test", file=sys.stderr)


def test_prints_and_fails(noisy):
    print("stdout before the failure")
    print("stderr before the failure", file=sys.stderr)
    assert "expected" == "actual"


def test_capsys_fixture(capsys):
    print("hello capsys")
    sys.stderr.write("err capsys\n")
    captured = capsys.readouterr()
    assert captured.out == "hello capsys\n"
    assert captured.err == "err capsys\n"
    print("after readouterr")


def test_logging_in_failure():
    log.debug("debug is below the default level")
    log.info("info is below the default level")
    log.warning("stock is low: %d left", 3)
    log.error("order %s failed", "A-17")
    assert False, "see the captured log"


def test_warns():
    warnings.warn("this API is deprecated", DeprecationWarning)
    warnings.warn("something looks odd", UserWarning)


def test_warns_twice():
    for _ in range(2):
        warnings.warn("something looks odd", UserWarning)


def test_returns_value():
    return 42


def test_unicode_and_long_lines():
    print("caf\u00e9 \u2014 \u00fcber " + "x" * 100)
    assert "caf\u00e9" == "cafe"
