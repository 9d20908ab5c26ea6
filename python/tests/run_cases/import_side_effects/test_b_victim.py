import builtins

if getattr(builtins, "_FASTEST_CASE_HOOKED", False):
    raise RuntimeError("broken by test_a_hook's import")


def test_b_one():
    pass


def test_b_two():
    pass
