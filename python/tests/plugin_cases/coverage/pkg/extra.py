"""A module no test imports: reported at 0% when its package is measured."""


def unused():
    return 42
