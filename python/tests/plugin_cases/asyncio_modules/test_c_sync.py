def test_after(greeting):
    assert greeting.upper() == "HELLO"
