import unittest


class CartLegacy(unittest.TestCase):
    def setUp(self):
        from shop.cart import Cart

        self.cart = Cart()

    def test_zero(self):
        self.assertEqual(self.cart.total(), 0)

    def test_add(self):
        self.cart.add("a", 2, 3)
        self.assertEqual(self.cart.total(), 6)
