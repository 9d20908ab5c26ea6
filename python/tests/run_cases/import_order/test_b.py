import json
import os

print("importing test_b")
LEAKED_AT_IMPORT = os.environ.get("IMPORT_ORDER_LEAK") or hasattr(json, "_import_order_leak")


def test_b_fails_without_import_output():
    # The failure shows no captured output: what the import printed was collection's.
    assert LEAKED_AT_IMPORT, "fails on purpose"


def test_b_imported_before_any_test_ran():
    assert not LEAKED_AT_IMPORT
