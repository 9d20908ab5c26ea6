"""Shopping carts.

>>> from shopcart import Cart
>>> Cart().total()
0
"""
from shopcart.cart import Cart

__all__ = ["Cart"]
__version__ = "0.3.0"
