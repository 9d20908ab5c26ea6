"""Importing the package fills in a docstring of another of its modules."""
from pkg import setter  # noqa: F401
