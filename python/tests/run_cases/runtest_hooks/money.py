"""A value type the root conftest explains in failed comparisons."""


class Money:
    def __init__(self, amount):
        self.amount = amount

    def __eq__(self, other):
        return isinstance(other, Money) and other.amount == self.amount
