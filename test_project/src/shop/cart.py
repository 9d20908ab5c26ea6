"""Shopping cart.

>>> c = Cart()
>>> c.add("apple", 2, 0.5)
>>> c.total()
1.0
"""


class Cart:
    def __init__(self):
        self.lines = []

    def add(self, name, qty, price):
        if qty <= 0:
            raise ValueError("quantity must be positive")
        self.lines.append((name, qty, price))

    def total(self):
        """Sum of all lines.

        >>> Cart().total()
        0
        """
        return sum(q * p for _, q, p in self.lines)
