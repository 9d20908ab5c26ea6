# The attempt fails; the handler's stdlib module stands in.
try:
    import json_speedups_that_are_not_installed as fastjson
except ImportError:
    import json as fastjson


def test_fallback_wins():
    assert fastjson.loads("[1]") == [1]
