"""Not collected: a setuptools setup.py.

>>> 1
2
"""
import setuptools  # noqa: F401
