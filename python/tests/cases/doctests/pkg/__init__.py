"""Package docstring with an example.

>>> 1 + 1
2
"""
