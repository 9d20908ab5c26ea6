def deep():
    """
    >>> deep()
    'deep'
    """
    return "deep"
