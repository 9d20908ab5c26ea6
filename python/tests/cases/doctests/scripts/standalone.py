"""Not in a package: the doctest name is just the module stem.

>>> 3
3
"""
