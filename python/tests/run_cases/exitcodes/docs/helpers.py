"""Not a test module: a run on docs/ collects nothing (exit code 5)."""
VALUE = 1
