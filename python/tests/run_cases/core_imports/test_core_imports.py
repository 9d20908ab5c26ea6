"""What pytest's default plugins import before any test runs is there under fastest:
a test that reaches a submodule through its package alone works, or fails, alike."""

import sys
import xml


def test_xml_etree_through_the_package():
    # pytest's junitxml plugin imported xml.etree.ElementTree (not under -p no:junitxml).
    assert xml.etree.ElementTree.fromstring("<a/>").tag == "a"


def test_debugger_modules_loaded():
    # The debugging plugin's configure imports pdb; the capture plugin imports readline.
    assert "pdb" in sys.modules
    assert "readline" in sys.modules


def test_faulthandler_loaded():
    assert "faulthandler" in sys.modules
