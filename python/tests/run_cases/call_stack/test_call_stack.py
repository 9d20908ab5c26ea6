"""Code that looks up the stack for pytest's frames (freezegun's
``freeze_time(ignore=["_pytest"])``) finds them where pytest puts them: the module of
the frame that calls a test, a fixture (and resumes a yield fixture), a unittest test."""

import sys
import unittest

import pytest


def caller_module():
    # The frame two above this one: the caller of the function that asks.
    return sys._getframe(2).f_globals.get("__name__")


@pytest.fixture
def plain():
    return caller_module()


@pytest.fixture
def yielding():
    seen = [caller_module()]
    yield seen
    print("teardown resumed from", caller_module())


def test_test_caller():
    assert caller_module() == "_pytest.python"


def test_fixture_callers(plain, yielding):
    assert plain == "_pytest.fixtures"
    assert yielding == ["_pytest.fixtures"]


def test_fails_with_its_own_frames_only(plain):
    assert plain == "elsewhere"


class TestCase(unittest.TestCase):
    def test_stack_holds_pytest_unittest(self):
        names = []
        frame = sys._getframe()
        while frame is not None and len(names) < 8:
            names.append(frame.f_globals.get("__name__"))
            frame = frame.f_back
        self.assertIn("_pytest.unittest", names)
