import glob
import os
import sys

# Test-like names holding values pytest does not call: nothing collected for them.
test_data_dir = os.path.join(os.path.dirname(__file__), "data")
test_files = glob.glob(os.path.join(test_data_dir, "*.txt"))
test_on_linux = sys.platform == "linux"
test_label = "%s-%s" % ("a", "b")
test_joined = "-".join(["x", "y"])


def test_values():
    assert test_label == "a-b" and test_joined == "x-y"
