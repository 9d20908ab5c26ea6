def parse(text):
    """Split on commas.

    >>> parse("a,b")
    ['a', 'b']
    """
    return [t for t in text.split(",") if t]
