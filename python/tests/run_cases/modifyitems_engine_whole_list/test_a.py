def test_divides_a():
    1 / 0
