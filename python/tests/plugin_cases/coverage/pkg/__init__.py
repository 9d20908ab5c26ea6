from .core import add, classify
