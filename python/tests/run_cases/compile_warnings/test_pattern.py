import re
PAT = re.compile("\d+")
def test_a():
    assert PAT.match("1")
