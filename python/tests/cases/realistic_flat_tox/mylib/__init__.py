from mylib.parser import parse

__all__ = ["parse"]
