"""Helpers for the tests: its ``testing`` subpackage is only reached by importing it."""

from .version import VERSION  # noqa: F401
