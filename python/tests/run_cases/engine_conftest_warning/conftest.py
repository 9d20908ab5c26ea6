"""A runtest hook (the pytest engine runs the session) in a conftest whose import warns:
pytest's start-up loads it, and no import fallback runs first."""

import warnings

warnings.warn("root conftest import", UserWarning)


def pytest_runtest_protocol(item, nextitem):
    return None
