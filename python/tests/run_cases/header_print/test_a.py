def test_one():
    pass


def test_two():
    print("output of a passing test")
