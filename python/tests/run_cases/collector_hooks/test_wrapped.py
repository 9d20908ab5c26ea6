def answer_right():
    return 42


def answer_wrong():
    # Called unwrapped, this passes: only the hook's wrapper fails it.
    return 41


def test_after():
    pass
