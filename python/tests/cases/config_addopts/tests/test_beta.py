def test_beta_one():
    pass


def test_beta_two():
    pass
