import sys


def shutdown(code):
    sys.exit(code)


def test_sys_exit():
    shutdown(3)


def test_raises_system_exit_zero():
    raise SystemExit(0)


def test_after_exit():
    pass
