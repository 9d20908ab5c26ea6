from __future__ import annotations

from shopcart.pricing import apply_discount


class Cart:
    """A cart of (name, price) lines.

    >>> c = Cart()
    >>> c.add("apple", 3)
    >>> c.total()
    3
    """

    def __init__(self) -> None:
        self.lines: list[tuple[str, int]] = []

    def add(self, name: str, price: int) -> None:
        self.lines.append((name, price))

    def total(self, discount: int = 0) -> int:
        """Sum of prices, minus a percentage.

        >>> c = Cart(); c.add("x", 200); c.total(discount=10)
        180
        """
        return apply_discount(sum(p for _, p in self.lines), discount)
