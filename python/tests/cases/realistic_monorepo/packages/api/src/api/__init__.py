from core import add


def route(x):
    return add(x, 1)
