def test_b():
    print("only when run")
