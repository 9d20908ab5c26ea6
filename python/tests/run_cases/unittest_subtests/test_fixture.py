import pytest

def test_sub(subtests):
    for i in range(3):
        with subtests.test(msg="check", i=i):
            print("out", i)
            assert i != 1

def test_sub_pass(subtests):
    with subtests.test():
        pass

def test_sub_skip(subtests):
    with subtests.test(x=1):
        pytest.skip("why")
    with subtests.test(x=2):
        pytest.xfail("known")


def test_message_not_a_string(subtests):
    # pint's `subtests.test(enable_ctx)`: any message is formatted into the description.
    for flag in (False, True):
        with subtests.test(flag):
            assert flag
