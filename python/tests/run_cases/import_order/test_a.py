import os
import sys

print("importing test_a")


def test_a_leaves_state_behind():
    # What a test leaves in the process: pytest imported every module before this ran.
    os.environ["IMPORT_ORDER_LEAK"] = "1"
    sys.modules["json"]._import_order_leak = True


def test_a_sees_later_module_imported():
    # pytest's collection imported test_b (and pkg/test_c) before any test ran.
    assert "test_b" in sys.modules
