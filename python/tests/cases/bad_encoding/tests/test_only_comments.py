# nothing here
# def test_commented_out():
#     pass
