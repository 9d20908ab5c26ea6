print("importing test_a_ok")


def test_ok():
    pass
