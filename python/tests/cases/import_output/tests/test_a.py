import sys

print("module a imported")
print("to stderr", file=sys.stderr)


def test_a():
    pass
