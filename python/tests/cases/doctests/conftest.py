"""Conftest docstrings are collected too.

>>> 2 * 2
4
"""
