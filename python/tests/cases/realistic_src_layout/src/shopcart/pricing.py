def apply_discount(amount: int, percent: int) -> int:
    """
    >>> apply_discount(100, 25)
    75
    >>> apply_discount(100, 0)
    100
    """
    return amount * (100 - percent) // 100


def _round(x):
    return round(x)
