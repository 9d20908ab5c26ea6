import nonexistent_module_for_fastest

def f():
    """
    >>> 1 + 1
    2
    """
